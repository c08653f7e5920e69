namespace StemGen.Model.Sampling;

/// <summary>
/// The named samplers a user picks from, the same in `stemgen generate --preset` and the studio's generate panel:
/// "best" (the paper's guidance and causal bias), "naive" (neither) and "fast" (best with an eighth of its decoding steps).
/// </summary>
public static class SamplingPresets
{
    public static IReadOnlyList<string> Names { get; } = ["best", "naive", "fast"];

    /// <summary>The options of a preset (case and spaces ignored); ArgumentException naming the presets for another name.</summary>
    public static SamplingOptions Get(string name) => name.Trim().ToLowerInvariant() switch
    {
        "best" => SamplingOptions.Best,
        "naive" => SamplingOptions.Naive,
        "fast" => SamplingOptions.Best with { StepsPerLevel = [16, 8, 4, 4] },
        _ => throw new ArgumentException($"unknown preset '{name}' (use {string.Join(", ", Names)})"),
    };
}
