using System.Globalization;
using StemGen.Model.Transformer;
using StemGen.Web.Data;

namespace StemGen.Web.Training;

/// <summary>What an admin asks for on the launch form (the options of `stemgen train`); <see cref="Validate"/> names the first problem.</summary>
public sealed record TrainingRequest(
    string? Dataset, string? Codec, string? Preset = "tiny", long Steps = 100, int Batch = 4, int SeqFrames = 100,
    double? LearningRate = null, double? ContextDropout = null, long Seed = 1, double EncodeSeconds = 0, string? Device = "cpu")
{
    public const long MaxSteps = 10_000_000;

    public void Validate()
    {
        var inv = CultureInfo.InvariantCulture;
        if (!StemGenConfig.PresetNames.Contains(Preset?.Trim().ToLowerInvariant()))
            throw new StudioValidationException($"unknown preset '{Preset}': use {string.Join(", ", StemGenConfig.PresetNames)}");
        if (Steps < 1 || Steps > MaxSteps) throw new StudioValidationException($"steps must be 1 to {MaxSteps:N0}, not {Steps}");
        if (Batch < 1 || Batch > 4096) throw new StudioValidationException($"the batch must be 1 to 4096 examples, not {Batch}");
        if (SeqFrames < 1 || SeqFrames > 100_000) throw new StudioValidationException($"the crop must be 1 to 100000 codec frames, not {SeqFrames}");
        if (LearningRate is { } lr && !(lr > 0 && lr < 1)) throw new StudioValidationException($"the learning rate must be a number in (0, 1), not {lr.ToString(inv)}");
        if (ContextDropout is { } p && !(p is >= 0 and <= 1)) throw new StudioValidationException($"the context dropout must be a number in [0, 1], not {p.ToString(inv)}");
        if (!(EncodeSeconds >= 0)) throw new StudioValidationException($"encode seconds must be 0 (all) or positive, not {EncodeSeconds.ToString(inv)}");
        if (Seed < 0) throw new StudioValidationException($"the seed must be 0 or more, not {Seed}");
        try { _ = ParsedDevice(); }
        catch (FormatException e) { throw new StudioValidationException($"device: {e.Message}"); }
    }

    public StemGen.Torch.Device ParsedDevice() => StemGen.Torch.Device.FromOption(Device ?? "cpu");
}
