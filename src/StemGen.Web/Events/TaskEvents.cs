using System.Collections.Concurrent;
using StemGen.Web.Data;

namespace StemGen.Web.Events;

/// <summary>The kinds of long task. A listening check's id is its training run's; a study preparation's is its study's.</summary>
public enum TaskKind
{
    Generation,
    Dataset,
    Training,
    Evaluation,
    ListeningCheck,
    StudyPreparation,
}

/// <summary>
/// A task's state or progress changed. <paramref name="Detail"/> carries what only one kind has (a training run's
/// step and new curve points, a generation job's project and decoding position).
/// </summary>
public sealed record TaskEvent(TaskKind Kind, int Id, TaskState State, double Percent, string? Phase, string? Error, object? Detail = null);

/// <summary>
/// The one in-process bus of long tasks: every change goes to the open pages that subscribe (they filter by kind
/// and id and re-render with InvokeAsync), and stop requests made in this process reach the running task at once
/// (a running task registers its token source; the row carries the request across processes).
/// </summary>
public sealed class TaskEvents
{
    private readonly ConcurrentDictionary<(TaskKind, int), CancellationTokenSource> running = new();

    public event Action<TaskEvent>? Changed;

    public void Publish(TaskEvent e) => Changed?.Invoke(e);

    /// <summary>A generation job's progress: on the bus as every task's, and to its project's open pages (<see cref="ProjectEvents"/> forwards it).</summary>
    public void Publish(JobProgressEvent e) => Publish(new TaskEvent(TaskKind.Generation, e.JobId, e.State, e.Percent, e.Phase, e.Error, e));

    /// <summary>Tells the pages what a task's row says now.</summary>
    public void Publish(TaskKind kind, int id, ITaskRow row, object? detail = null) =>
        Publish(new TaskEvent(kind, id, row.State, row.Percent, row.Phase, row.Error, detail));

    internal void Register(TaskKind kind, int id, CancellationTokenSource stop) => running[(kind, id)] = stop;

    internal void Unregister(TaskKind kind, int id) => running.TryRemove((kind, id), out _);

    /// <summary>Stops the task if it runs in this process (its row already says why).</summary>
    public void Stop(TaskKind kind, int id)
    {
        if (running.TryGetValue((kind, id), out var stop))
            try { stop.Cancel(); } catch (ObjectDisposedException) { }
    }
}
