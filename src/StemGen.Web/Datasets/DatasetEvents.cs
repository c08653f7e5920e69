using StemGen.Web.Data;

namespace StemGen.Web.Datasets;

/// <summary>A dataset task's progress or state changed (admin pages only).</summary>
public sealed record DatasetTaskEvent(int TaskId, DatasetTaskState State, double Percent, string? Phase, string? Result, string? Error);

/// <summary>
/// In-process fan-out of dataset task progress to the open admin pages, and the cancel requests made in
/// this process (answered at the task's next progress tick; the row's CancelRequested carries them across processes).
/// </summary>
public sealed class DatasetEvents
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, CancellationTokenSource> running = new();

    public event Action<DatasetTaskEvent>? Changed;

    public void Publish(DatasetTaskEvent e) => Changed?.Invoke(e);

    internal void Register(int taskId, CancellationTokenSource cancel) => running[taskId] = cancel;

    internal void Unregister(int taskId) => running.TryRemove(taskId, out _);

    internal void Cancel(int taskId)
    {
        if (running.TryGetValue(taskId, out var cancel))
            try { cancel.Cancel(); } catch (ObjectDisposedException) { }
    }
}
