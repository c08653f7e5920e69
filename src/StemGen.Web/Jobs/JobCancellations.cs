using System.Collections.Concurrent;

namespace StemGen.Web.Jobs;

/// <summary>The cancellation sources of running jobs, so a cancel request reaches the generator at its next step.</summary>
public sealed class JobCancellations
{
    private readonly ConcurrentDictionary<int, CancellationTokenSource> running = new();

    public IDisposable Register(int jobId, CancellationTokenSource source)
    {
        running[jobId] = source;
        return new Unregister(() => running.TryRemove(new KeyValuePair<int, CancellationTokenSource>(jobId, source)));
    }

    public bool Cancel(int jobId)
    {
        if (!running.TryGetValue(jobId, out var source)) return false;
        try { source.Cancel(); } catch (ObjectDisposedException) { return false; }
        return true;
    }

    private sealed class Unregister(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
