using StemGen.Torch.Optim;

namespace StemGen.Model.Training;

/// <summary>
/// How a model is trained. Defaults are the paper's section 3 where it gives a number (batch 40,
/// AdamW, tri-stage LR 10 k warm-up / 50 k hold at 5e-4 / 300 k exponential decay, stop when
/// validation accuracy has not improved for 20 k steps); the rest are stated choices.
/// </summary>
public sealed record TrainingConfig
{
    public int BatchSize { get; init; } = 40;

    public double PeakLearningRate { get; init; } = 5e-4;
    public long WarmupSteps { get; init; } = 10_000;
    public long HoldSteps { get; init; } = 50_000;
    public long DecaySteps { get; init; } = 300_000;
    /// <summary>LR at step 0 and after the decay, as fractions of the peak.</summary>
    public double InitialLearningRateScale { get; init; } = 0.01;
    public double FinalLearningRateScale { get; init; } = 0.01;

    /// <summary>AdamW settings the paper does not give: PyTorch's defaults. Decay applies to 2+ dim tensors only.</summary>
    public double WeightDecay { get; init; } = 0.01;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double AdamEps { get; init; } = 1e-8;

    /// <summary>Global gradient-norm clip.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Upper bound on steps; the paper stopped early, around 150 k.</summary>
    public long MaxSteps { get; init; } = 360_000;

    public long ValidationInterval { get; init; } = 1_000;
    /// <summary>Validation batches per evaluation (0: the whole held-out set).</summary>
    public int ValidationBatches { get; init; }
    /// <summary>Stop when validation accuracy has not improved for this many steps (0: never stop early).</summary>
    public long EarlyStoppingPatience { get; init; } = 20_000;

    public long CheckpointInterval { get; init; } = 1_000;
    /// <summary>Also checkpoint when this much wall time has passed since the last checkpoint (0: steps only): a run on a lent machine loses at most this much.</summary>
    public double CheckpointSeconds { get; init; }
    /// <summary>Progress events every this many steps (and after every validation).</summary>
    public long LogInterval { get; init; } = 10;

    /// <summary>Run seed: initialisation, batches, masks and condition dropout of step s all derive from (Seed, s).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>bfloat16 autocast for the forward pass; only ever used on CUDA.</summary>
    public bool MixedPrecision { get; init; } = true;

    public static TrainingConfig Paper { get; } = new();

    /// <summary>Short schedule for CPU demos and tests.</summary>
    public static TrainingConfig Tiny { get; } = new()
    {
        BatchSize = 8, PeakLearningRate = 2e-3, WarmupSteps = 20, HoldSteps = 200, DecaySteps = 300, MaxSteps = 500,
        ValidationInterval = 50, EarlyStoppingPatience = 200, CheckpointInterval = 100, LogInterval = 10,
    };

    /// <summary>
    /// The training config that goes with a model preset: the paper's for "paper" and "small" (the
    /// smaller model simply stops earlier, by early stopping), the short CPU schedule for "tiny".
    /// </summary>
    public static TrainingConfig Preset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "paper" or "small" => Paper,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"unknown preset '{name}': use paper, small or tiny", nameof(name)),
    };

    /// <summary>The tri-stage schedule (paper section 3) for update number <c>step</c> (0-based).</summary>
    public Func<long, double> LearningRateSchedule() =>
        LearningRateSchedules.TriStage(PeakLearningRate, WarmupSteps, HoldSteps, DecaySteps, InitialLearningRateScale, FinalLearningRateScale);

    /// <summary>The paper's 10 k / 50 k / 300 k stages and a third of the run as patience, scaled to a run of <paramref name="steps"/>.</summary>
    public TrainingConfig FittedTo(long steps)
    {
        var warmup = Math.Max(1, steps * 10 / 360);
        var hold = steps * 50 / 360;
        return this with { MaxSteps = steps, WarmupSteps = warmup, HoldSteps = hold, DecaySteps = Math.Max(1, steps - warmup - hold), EarlyStoppingPatience = steps / 3 };
    }

    /// <summary>Steps between validations when none are given: 24 per run, at least every 1000 steps.</summary>
    public long DefaultValidationInterval => Math.Clamp(MaxSteps / 24, 1, 1000);

    public TrainingConfig Validate()
    {
        var problems = new List<string>();
        if (BatchSize < 1) problems.Add($"batch size must be positive (got {BatchSize})");
        if (!(PeakLearningRate >= 0)) problems.Add($"peak learning rate must be non-negative (got {PeakLearningRate})");
        if (WarmupSteps < 0 || HoldSteps < 0 || DecaySteps < 0) problems.Add("schedule stages must be non-negative");
        if (!(InitialLearningRateScale > 0) || !(FinalLearningRateScale > 0)) problems.Add("learning-rate scales must be positive");
        if (!(ClipNorm > 0)) problems.Add($"clip norm must be positive (got {ClipNorm})");
        if (MaxSteps < 0) problems.Add($"max steps must be non-negative (got {MaxSteps})");
        if (ValidationInterval < 1) problems.Add($"validation interval must be positive (got {ValidationInterval})");
        if (ValidationBatches < 0) problems.Add($"validation batches must be non-negative (got {ValidationBatches})");
        if (EarlyStoppingPatience < 0) problems.Add($"early-stopping patience must be non-negative (got {EarlyStoppingPatience})");
        if (CheckpointInterval < 1) problems.Add($"checkpoint interval must be positive (got {CheckpointInterval})");
        if (!(CheckpointSeconds >= 0)) problems.Add($"checkpoint seconds must be 0 or positive (got {CheckpointSeconds})");
        if (LogInterval < 1) problems.Add($"log interval must be positive (got {LogInterval})");
        if (problems.Count > 0) throw new ArgumentException($"invalid training config: {string.Join("; ", problems)}");
        return this;
    }
}
