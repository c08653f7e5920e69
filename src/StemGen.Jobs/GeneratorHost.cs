using StemGen.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StemGen.Model.Generation;

namespace StemGen.Jobs;

/// <summary>
/// Creates the generator once, on first use, and keeps it (the model loads once per process).
/// Remembers a load failure so the page can say why generation is unavailable.
/// </summary>
public sealed class GeneratorHost(Func<IStemGenerator> factory) : IDisposable
{
    private readonly Lock gate = new();
    private IStemGenerator? generator;
    private string? loadError;

    /// <summary>"CPU (2 threads)" once loaded; otherwise why not, or that it loads with the first job.</summary>
    public string DeviceDescription =>
        generator?.Device ?? (loadError is null ? "model not loaded yet (loads with the first job)" : $"unavailable: {loadError}");

    public bool IsLoaded => generator is not null;

    public IStemGenerator Get()
    {
        lock (gate)
        {
            if (generator is not null) return generator;
            try
            {
                generator = factory();
                loadError = null;
                return generator;
            }
            catch (Exception e)
            {
                loadError = e.Message;
                throw new GeneratorUnavailableException(e.Message, e);
            }
        }
    }

    public void Dispose() => (generator as IDisposable)?.Dispose();
}

/// <summary>The model could not be loaded (missing files, no StemGenerator in this build...): the message says why.</summary>
public sealed class GeneratorUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The production factory: loads the configured codec and checkpoint.</summary>
public static class StemGeneratorFactory
{
    public static Func<IStemGenerator> FromOptions(IServiceProvider services) => () =>
    {
        var options = services.GetRequiredService<IOptions<GenerationOptions>>().Value;
        // Configured paths win; otherwise $STEMGEN_CODEC / $STEMGEN_CHECKPOINT, then the repository's shipped models/.
        var codec = ShippedModels.CodecPath(options.CodecWeightsPath);
        var checkpoint = ShippedModels.CheckpointPath(options.ModelCheckpointPath);
        return StemGenerator.Load(codec, checkpoint, DeviceFor(options.Device), options.MaxContextSeconds);
    };

    /// <summary>"auto": null (CUDA when present, CPU otherwise); else "cpu", "cuda" or "cuda:N".</summary>
    internal static StemGen.Torch.Device? DeviceFor(string option) =>
        string.Equals(option?.Trim(), "auto", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(option)
            ? null
            : StemGen.Torch.Device.Parse(option);
}
