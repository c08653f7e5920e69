namespace StemGen.Model.Sampling;

/// <summary>How the two conditions are guided (paper section 2.1.2).</summary>
public enum GuidanceMode
{
    /// <summary>Eq. 3: separate scales for the context mix (lambda_a) and the category (lambda_i).</summary>
    MultiSource,

    /// <summary>Eq. 2: one scale (<see cref="GuidanceOptions.ContextScale"/>) on the combined condition.</summary>
    SingleSource,
}

/// <summary>Weights of the ranking function rho = w_c * c + w_s * (1 - n / N) + w_r * U(0, 1) (eq. 1).</summary>
public sealed record RankingWeights(double Confidence = 0.1, double Causal = 0.1, double Random = 1.0);

/// <summary>Classifier-free guidance scales: lambda_a on the context mix, lambda_i on the category.</summary>
public sealed record GuidanceOptions(double ContextScale = 3.0, double CategoryScale = 3.0, GuidanceMode Mode = GuidanceMode.MultiSource)
{
    /// <summary>No guidance: plain conditional sampling, one pass per step.</summary>
    public static GuidanceOptions None { get; } = new(1.0, 1.0);
}

/// <summary>Options of iterative (MaskGIT-style) decoding, level by level.</summary>
public sealed record SamplingOptions
{
    /// <summary>Decoding steps of each RVQ level, coarsest first.</summary>
    public IReadOnlyList<int> StepsPerLevel { get; init; } = [128, 64, 32, 32];

    /// <summary>Softmax temperature of the (guided) token distribution.</summary>
    public double Temperature { get; init; } = 1.0;

    public RankingWeights RankingWeights { get; init; } = new();

    public GuidanceOptions Guidance { get; init; } = new();

    /// <summary>Seed of the decoder's own generator: same seed, same output.</summary>
    public ulong Seed { get; init; }

    /// <summary>The paper's settings: steps [128, 64, 32, 32], w = (0.1, 0.1, 1.0), lambda_a = lambda_i = 3.</summary>
    public static SamplingOptions Best { get; } = new();

    /// <summary>The baseline without the paper's improvements: no guidance (scales 1) and no causal bias (w_s = 0).</summary>
    public static SamplingOptions Naive { get; } = new()
    {
        RankingWeights = new RankingWeights(Confidence: 0.1, Causal: 0.0, Random: 1.0),
        Guidance = GuidanceOptions.None,
    };

    /// <summary>Total planned steps over all levels.</summary>
    public int TotalSteps => StepsPerLevel.Sum();

    /// <summary>Checks the options (and, when given, the model's number of levels); returns this.</summary>
    public SamplingOptions Validate(int? levels = null)
    {
        var problems = new List<string>();
        if (StepsPerLevel is null || StepsPerLevel.Count == 0)
            problems.Add("steps per level must list at least one level");
        else
        {
            for (var q = 0; q < StepsPerLevel.Count; q++)
                if (StepsPerLevel[q] <= 0) problems.Add($"steps of level {q} must be positive (got {StepsPerLevel[q]})");
            if (levels is { } l && StepsPerLevel.Count != l)
                problems.Add($"steps per level lists {StepsPerLevel.Count} levels but the model has {l}");
        }
        if (double.IsNaN(Temperature) || Temperature <= 0 || double.IsInfinity(Temperature))
            problems.Add($"temperature must be positive and finite (got {Temperature})");
        if (RankingWeights is null) problems.Add("ranking weights are missing");
        else
            foreach (var (name, w) in new[] { ("confidence weight w_c", RankingWeights.Confidence), ("causal weight w_s", RankingWeights.Causal), ("random weight w_r", RankingWeights.Random) })
                if (!double.IsFinite(w)) problems.Add($"{name} must be a finite number (got {w})");
        if (Guidance is null) problems.Add("guidance options are missing");
        else
            foreach (var (name, s) in new[] { ("context guidance scale lambda_a", Guidance.ContextScale), ("category guidance scale lambda_i", Guidance.CategoryScale) })
            {
                if (!double.IsFinite(s)) problems.Add($"{name} must be a finite number (got {s})");
                else if (s < 0) problems.Add($"{name} must not be negative (got {s})");
            }
        if (problems.Count > 0)
            throw new ArgumentException("invalid sampling options: " + string.Join("; ", problems));
        return this;
    }
}
