using StemGen.Web.Data;

namespace StemGen.Web.Evaluations;

/// <summary>An evaluation's state or progress changed (admin pages only).</summary>
public sealed record EvaluationRunEvent(int RunId, EvaluationRunState State, double Percent, string? Phase, string? Error);

/// <summary>In-process fan-out of evaluation progress to open admin pages, and cancel requests made in this process.</summary>
public sealed class EvaluationEvents
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, CancellationTokenSource> running = new();

    public event Action<EvaluationRunEvent>? Changed;

    public void Publish(EvaluationRunEvent e) => Changed?.Invoke(e);

    internal void Register(int runId, CancellationTokenSource stop) => running[runId] = stop;

    internal void Unregister(int runId) => running.TryRemove(runId, out _);

    internal void Stop(int runId)
    {
        if (running.TryGetValue(runId, out var stop))
            try { stop.Cancel(); } catch (ObjectDisposedException) { }
    }
}
