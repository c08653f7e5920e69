using System.Collections.Concurrent;

namespace StemGen.Web.Jobs;

/// <summary>
/// Cancel requests made in this studio process, answered to the job's next progress report without a
/// database read (the row's CancelRequested flag carries them across processes and restarts).
/// </summary>
public sealed class JobCancellations
{
    private readonly ConcurrentDictionary<int, byte> requested = new();

    public void Request(int jobId) => requested[jobId] = 0;

    public bool IsRequested(int jobId) => requested.ContainsKey(jobId);

    public void Clear(int jobId) => requested.TryRemove(jobId, out _);
}
