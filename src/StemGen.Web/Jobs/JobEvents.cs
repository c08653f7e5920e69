using System.Collections.Concurrent;

namespace StemGen.Web.Jobs;

/// <summary>
/// In-process fan-out of a kind of long admin job's progress to the open pages, and the stop requests (pause, cancel)
/// made in this process: a running job registers its token source, a request cancels it at once; the job's row carries
/// the request across processes.
/// </summary>
public abstract class JobEvents<TEvent>
{
    private readonly ConcurrentDictionary<int, CancellationTokenSource> running = new();

    public event Action<TEvent>? Changed;

    public void Publish(TEvent e) => Changed?.Invoke(e);

    internal void Register(int id, CancellationTokenSource stop) => running[id] = stop;

    internal void Unregister(int id) => running.TryRemove(id, out _);

    internal void Stop(int id)
    {
        if (running.TryGetValue(id, out var stop))
            try { stop.Cancel(); } catch (ObjectDisposedException) { }
    }
}
