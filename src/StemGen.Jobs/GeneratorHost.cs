using StemGen.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StemGen.Model.Generation;

namespace StemGen.Jobs;

/// <summary>
/// Keeps one generator loaded: the configured checkpoint, or the one a job names (the model the studio
/// serves). A job asking for another checkpoint than the loaded one loads it and then drops the old one,
/// so a switch or a rollback takes effect with the next job; a checkpoint that does not load leaves the old
/// one in place. Remembers a load failure so the page can say why generation is unavailable.
/// </summary>
/// <remarks>One job at a time per process uses the generator (the job servers run one worker).</remarks>
public sealed class GeneratorHost(Func<string?, IStemGenerator> factory) : IDisposable
{
    private readonly Lock gate = new();
    private IStemGenerator? generator;
    private string? loadedCheckpoint;
    private string? loadError;

    /// <summary>"CPU (idle cores of 2)" (the thread policy, see TorchThreads) or "CUDA (...)" once loaded; otherwise why not, or that it loads with the first job.</summary>
    public string DeviceDescription =>
        generator?.Device ?? (loadError is null ? "model not loaded yet (loads with the first job)" : $"unavailable: {loadError}");

    public bool IsLoaded => generator is not null;

    /// <summary>The generator of <paramref name="checkpoint"/> (null: the configured one), loading it when another is loaded.</summary>
    public IStemGenerator Get(string? checkpoint = null)
    {
        lock (gate)
        {
            if (generator is not null && loadedCheckpoint == checkpoint) return generator;
            IStemGenerator loaded;
            try { loaded = factory(checkpoint); }
            catch (Exception e)
            {
                // The first load failing makes generation unavailable; a failed switch keeps the old model for the next job.
                if (generator is null) loadError = e.Message;
                throw new GeneratorUnavailableException(checkpoint is null ? e.Message : $"{Path.GetFileName(checkpoint)} cannot be loaded: {e.Message}", e);
            }
            (generator as IDisposable)?.Dispose();
            (generator, loadedCheckpoint, loadError) = (loaded, checkpoint, null);
            return generator;
        }
    }

    /// <summary>The generator of <paramref name="served"/> (null: the configured model), its file fetched through the studio when needed.</summary>
    public async Task<IStemGenerator> GetAsync(IStudioGateway studio, ServedModelRef? served, CancellationToken cancellationToken)
    {
        var checkpoint = served is null ? null : await studio.ModelFileAsync(served, cancellationToken);
        return await Task.Run(() => Get(checkpoint), cancellationToken);
    }

    public void Dispose() => (generator as IDisposable)?.Dispose();
}

/// <summary>The model could not be loaded (missing files, no StemGenerator in this build...): the message says why.</summary>
public sealed class GeneratorUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The production factory: loads the configured codec and the given checkpoint (null: the configured one).</summary>
public static class StemGeneratorFactory
{
    public static Func<string?, IStemGenerator> FromOptions(IServiceProvider services) => checkpoint =>
    {
        var options = services.GetRequiredService<IOptions<GenerationOptions>>().Value;
        // Configured paths win; otherwise $STEMGEN_CODEC / $STEMGEN_CHECKPOINT, then the repository's shipped models/.
        var codec = ShippedModels.CodecPath(options.CodecWeightsPath);
        return StemGenerator.Load(codec, checkpoint ?? ShippedModels.CheckpointPath(options.ModelCheckpointPath), StemGen.Torch.Device.FromOption(options.Device), options.MaxContextSeconds);
    };
}
