using StemGen.Web.Data;

namespace StemGen.Web.Training;

/// <summary>A run's state or curves changed: the new points since the last event (admin pages only).</summary>
public sealed record TrainingRunEvent(int RunId, TrainingRunState State, long Step, string? Phase, string? Error, IReadOnlyList<TrainingPoint> Points);

/// <summary>In-process fan-out of training progress to open admin pages, and pause/cancel requests made in this process.</summary>
public sealed class TrainingEvents
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, CancellationTokenSource> running = new();

    public event Action<TrainingRunEvent>? Changed;

    /// <summary>A run's listening check was queued, started or finished (pages reload the run).</summary>
    public event Action<int>? CheckChanged;

    public void Publish(TrainingRunEvent e) => Changed?.Invoke(e);

    public void PublishCheck(int runId) => CheckChanged?.Invoke(runId);

    internal void Register(int runId, CancellationTokenSource stop) => running[runId] = stop;

    internal void Unregister(int runId) => running.TryRemove(runId, out _);

    internal void Stop(int runId)
    {
        if (running.TryGetValue(runId, out var stop))
            try { stop.Cancel(); } catch (ObjectDisposedException) { }
    }
}
