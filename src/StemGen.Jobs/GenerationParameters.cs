using StemGen.Model.Sampling;

namespace StemGen.Jobs;

/// <summary>
/// What a user asks for, stored as the job's JSON: the context stems, a sampling preset and
/// optional overrides, and how many variations. Turned into <see cref="SamplingOptions"/> by the worker.
/// </summary>
public sealed record GenerationParameters
{
    public required IReadOnlyList<int> ContextStemIds { get; init; }
    /// <summary>One of <see cref="SamplingPresets.Names"/>: "best" (the paper's sampler), "naive" (no guidance, no causal bias) or "fast" (best with fewer steps).</summary>
    public string Preset { get; init; } = "best";
    public int Variations { get; init; } = 1;
    public double? Temperature { get; init; }
    /// <summary>Guidance scale lambda_a on the context mix (paper eq. 3; 1 = no context guidance).</summary>
    public double? ContextGuidance { get; init; }
    /// <summary>Guidance scale lambda_i on the instrument category (1 = no category guidance).</summary>
    public double? CategoryGuidance { get; init; }
    public ulong? Seed { get; init; }
    /// <summary>Generate only [RegionStart, RegionEnd) seconds of the context (both or neither).</summary>
    public double? RegionStart { get; init; }
    public double? RegionEnd { get; init; }
    /// <summary>Inpainting: the stem whose region is regenerated; it is kept as it is outside the region.</summary>
    public int? ExistingStemId { get; init; }

    public static IReadOnlyList<string> Presets => SamplingPresets.Names;

    /// <summary>The settings a user needs to reproduce a result: "best, seed 42, context guidance 2".</summary>
    public string Summary()
    {
        var parts = new List<string> { Preset };
        if (Variations > 1) parts.Add($"{Variations} variations");
        if (Seed is { } s) parts.Add($"seed {s}");
        if (ContextGuidance is { } a) parts.Add(FormattableString.Invariant($"context guidance {a}"));
        if (CategoryGuidance is { } i) parts.Add(FormattableString.Invariant($"category guidance {i}"));
        if (Temperature is { } t) parts.Add(FormattableString.Invariant($"temperature {t}"));
        if (RegionStart is { } from && RegionEnd is { } to)
            parts.Add(FormattableString.Invariant($"{(ExistingStemId is { } id ? $"stem {id} " : "")}region {from}-{to} s"));
        return string.Join(", ", parts);
    }

    public SamplingOptions ToSamplingOptions()
    {
        var options = SamplingPresets.Get(Preset);
        if (Temperature is { } t) options = options with { Temperature = t };
        if (ContextGuidance is { } a) options = options with { Guidance = options.Guidance with { ContextScale = a } };
        if (CategoryGuidance is { } i) options = options with { Guidance = options.Guidance with { CategoryScale = i } };
        if (Seed is { } s) options = options with { Seed = s };
        return options;
    }
}
