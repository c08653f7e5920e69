using Microsoft.Extensions.Options;
using StemGen.Model.Generation;

namespace StemGen.Web.Jobs;

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
        var studio = services.GetRequiredService<IOptions<StudioOptions>>().Value;
        var codec = options.CodecWeightsPath ?? Path.Combine(studio.FullDataDirectory, "models", "codec.safetensors");
        var checkpoint = options.ModelCheckpointPath ?? Path.Combine(studio.FullDataDirectory, "models", "stemgen.safetensors");
        if (!File.Exists(codec)) throw new FileNotFoundException($"no codec weights at {codec} (set Generation:CodecWeightsPath)");
        if (!File.Exists(checkpoint)) throw new FileNotFoundException($"no model checkpoint at {checkpoint} (set Generation:ModelCheckpointPath)");
        return Load(codec, checkpoint, options);
    };

    // The one line to change when StemGen.Model.Generation.StemGenerator (branch gen) lands on this branch:
    //   StemGenerator.Load(codec, checkpoint, DeviceFor(options.Device), options.MaxContextSeconds);
    private static IStemGenerator Load(string codec, string checkpoint, GenerationOptions options) =>
        throw new GeneratorUnavailableException("this build has no StemGen.Model.Generation.StemGenerator yet; generation is unavailable");

    /// <summary>"auto": null (CUDA when present, CPU otherwise); else "cpu", "cuda" or "cuda:N".</summary>
    internal static StemGen.Torch.Device? DeviceFor(string option) =>
        string.Equals(option?.Trim(), "auto", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(option)
            ? null
            : StemGen.Torch.Device.Parse(option);
}
