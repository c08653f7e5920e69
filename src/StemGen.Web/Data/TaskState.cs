namespace StemGen.Web.Data;

/// <summary>
/// Where a long task is in its life, the same for every kind (generation jobs, dataset tasks, training runs,
/// evaluations, listening checks, study preparation). The numbers are stored: do not renumber.
/// </summary>
public enum TaskState
{
    Queued = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    Cancelled = 4,
    /// <summary>Stopped at a checkpoint on request; only a kind that can resume (training) uses it.</summary>
    Paused = 5,
}

/// <summary>
/// The lifecycle fields of a long task's row, as the task kernel (Tasks/: the run loop, the watchdog, start-up
/// recovery) reads and writes them.
/// </summary>
public interface ITaskRow
{
    int Id { get; }
    TaskState State { get; set; }
    /// <summary>0 to 100.</summary>
    double Percent { get; set; }
    /// <summary>What it is doing now, or how it ended ("3 of 9 tracks", "cancelled at 40 %").</summary>
    string? Phase { get; set; }
    /// <summary>Why it failed, in words a user can act on (the kernel's one rule, TaskErrors.ForUser).</summary>
    string? Error { get; set; }
    /// <summary>The Hangfire job that carries it; null until it is enqueued (start-up enqueues such rows).</summary>
    string? HangfireJobId { get; set; }
    DateTime? FinishedAt { get; set; }
}

public static class TaskStates
{
    /// <summary>Queued or running: a Hangfire job should exist for it.</summary>
    public static bool IsOpen(this TaskState state) => state is TaskState.Queued or TaskState.Running;
}
