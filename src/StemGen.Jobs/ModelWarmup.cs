using Microsoft.Extensions.Logging;

namespace StemGen.Jobs;

/// <summary>
/// Loads the model the studio serves when a host starts (a GPU worker, or the studio when it generates itself), so the
/// first job does not wait for it, the page can name the device, and a broken model shows in the log at once.
/// Jobs load another one when the studio switches.
/// </summary>
public static class ModelWarmup
{
    public static async Task RunAsync(GeneratorHost generator, IStudioGateway studio, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var served = await studio.ServedModelAsync(cancellationToken);
            var model = await generator.GetAsync(studio, served, cancellationToken);
            logger.LogInformation("model {Model} loaded on {Device}", served?.Name ?? "(configured)", model.Device);
        }
        catch (GeneratorUnavailableException e) { logger.LogError("generation unavailable: {Reason}", e.Message); }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or IOException)
        {
            logger.LogWarning("the served model could not be fetched yet ({Reason}); the first job fetches it", e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }
}
