using StemGen.Model.Sampling;

namespace StemGen.Web.Jobs;

/// <summary>
/// What a user asks for, stored as the job's JSON: the context stems, a sampling preset and
/// optional overrides, and how many variations. Turned into <see cref="SamplingOptions"/> by the worker.
/// </summary>
public sealed record GenerationParameters
{
    public required IReadOnlyList<int> ContextStemIds { get; init; }
    /// <summary>"best" (the paper's sampler), "naive" (no guidance, no causal bias) or "fast" (best with fewer steps).</summary>
    public string Preset { get; init; } = "best";
    public int Variations { get; init; } = 1;
    public double? Temperature { get; init; }
    public double? GuidanceScale { get; init; }
    public ulong? Seed { get; init; }

    public static IReadOnlyList<string> Presets { get; } = ["best", "naive", "fast"];

    public SamplingOptions ToSamplingOptions()
    {
        var options = Preset switch
        {
            "best" => SamplingOptions.Best,
            "naive" => SamplingOptions.Naive,
            "fast" => SamplingOptions.Best with { StepsPerLevel = [16, 8, 4, 4] },
            _ => throw new ArgumentException($"unknown preset '{Preset}' (use {string.Join(", ", Presets)})"),
        };
        if (Temperature is { } t) options = options with { Temperature = t };
        if (GuidanceScale is { } g) options = options with { Guidance = options.Guidance with { ContextScale = g, CategoryScale = g } };
        if (Seed is { } s) options = options with { Seed = s };
        return options;
    }
}
