namespace StemGen.Web.Data;

public enum TrainingStopRequest
{
    None = 0,
    Pause = 1,
    Cancel = 2,
}

/// <summary>
/// A training run an admin launched: its settings (as `stemgen train`), state and latest figures. The run's
/// files (checkpoint, best model, export, log) live in <see cref="Folder"/> under the data folder's runs/.
/// </summary>
public sealed class TrainingRun : ITaskRow
{
    public int Id { get; set; }
    /// <summary>The import (relative to the datasets root) whose token cache it trains on.</summary>
    public required string Dataset { get; set; }
    /// <summary>Codec file name (as on the datasets page) and the identity it had at launch.</summary>
    public required string Codec { get; set; }
    public string? CodecIdentity { get; set; }
    public required string Preset { get; set; }
    public long Steps { get; set; }
    public int Batch { get; set; }
    public int SeqFrames { get; set; }
    public double LearningRate { get; set; }
    public double ContextDropout { get; set; }
    public long Seed { get; set; }
    public double EncodeSeconds { get; set; }
    public required string Device { get; set; }
    public required string Folder { get; set; }
    /// <summary>Queued, running, paused (Resume queues it again), succeeded (reached its last step or stopped early, and exported model.safetensors), failed or cancelled.</summary>
    public TaskState State { get; set; }
    public TrainingStopRequest StopRequest { get; set; }
    public long Step { get; set; }
    /// <summary>Its progress is its step (the pages draw it): nothing else to store.</summary>
    double ITaskRow.Percent { get => Steps > 0 ? 100.0 * Step / Steps : 0; set { } }
    public string? Phase { get; set; }
    public string? Error { get; set; }
    public long? ParameterCount { get; set; }
    public double? BestValidationAccuracy { get; set; }
    public long? BestStep { get; set; }
    public bool Exported { get; set; }
    /// <summary>The listening check of the run's best model: its state (null: never run), its figures as JSON (a StemGen.Model.Training.ListeningCheckResult) or its error.</summary>
    public TaskState? ListeningCheck { get; set; }
    public string? ListeningCheckJson { get; set; }
    public string? ListeningCheckJobId { get; set; }
    /// <summary>Level 1 masked whole: validation loss without the context minus with it (nats per token); above 0 the model listens.</summary>
    public double? ListeningGain { get; set; }
    public string? HangfireJobId { get; set; }
    public required string CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public List<TrainingPoint> Points { get; set; } = [];
}

/// <summary>One point of a run's curves: a training report (averaged since the previous one) or a validation.</summary>
public sealed class TrainingPoint
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public long Step { get; set; }
    public bool Validation { get; set; }
    public double Loss { get; set; }
    /// <summary>Per codebook level, invariant-culture numbers separated by spaces ("NaN" for a level not seen).</summary>
    public required string LevelAccuracy { get; set; }
    /// <summary>Validation only: loss per level.</summary>
    public string? LevelLoss { get; set; }
    public double LearningRate { get; set; }
    public double TokensPerSecond { get; set; }
}
