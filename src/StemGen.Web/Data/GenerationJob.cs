using StemGen.Data;

namespace StemGen.Web.Data;

/// <summary>
/// A durable generation request: the worker picks it up by id, writes progress into it while it runs,
/// and its candidates when done. A job found Running at start-up was interrupted and is queued again.
/// </summary>
public sealed class GenerationJob
{
    public int Id { get; set; }
    public int ProjectId { get; set; }
    public required string RequestedById { get; set; }
    public InstrumentCategory TargetCategory { get; set; }
    /// <summary>The request as JSON (<see cref="Jobs.GenerationParameters"/>): context stem ids, preset, variations.</summary>
    public required string ParametersJson { get; set; }
    public TaskState State { get; set; }
    public bool CancelRequested { get; set; }
    /// <summary>The Hangfire job that carries this one; null until it is enqueued (start-up enqueues such rows).</summary>
    public string? HangfireJobId { get; set; }
    public int Attempts { get; set; }
    /// <summary>
    /// Who holds the running job (<see cref="Jobs.WorkerLeases"/>): "studio", or a worker key ("key:12", "config:0") and the
    /// Hangfire server it claimed under ("key:12@gpu-a:..."). Only the holder may read its stems, store candidates, report and finish.
    /// </summary>
    public string? Lease { get; set; }

    public int ProgressLevel { get; set; }
    public int ProgressStep { get; set; }
    public double ProgressPercent { get; set; }
    public double? EtaSeconds { get; set; }
    public string? Phase { get; set; }
    /// <summary>Where the model ran ("CPU (2 threads)", "CUDA: ...").</summary>
    public string? Device { get; set; }
    /// <summary>The served model the job ran with (its name on the models page).</summary>
    public string? Model { get; set; }
    /// <summary>What project members read when the job failed (in their terms).</summary>
    public string? Error { get; set; }
    /// <summary>The whole exception of a failure, for the log and admins only (<see cref="StemGen.Jobs.JobOutcome.Detail"/>).</summary>
    public string? ErrorDetail { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    public Project? Project { get; set; }
    public List<GenerationCandidate> Candidates { get; set; } = [];

    public bool IsFinished => State is TaskState.Succeeded or TaskState.Failed or TaskState.Cancelled;
}
