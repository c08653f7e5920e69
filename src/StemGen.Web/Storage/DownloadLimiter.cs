using System.Collections.Concurrent;

namespace StemGen.Web.Storage;

/// <summary>At most <see cref="PerUser"/> project zips per user at once (each holds a connection and reads every stem).</summary>
public sealed class DownloadLimiter
{
    public const int PerUser = 2;
    private readonly ConcurrentDictionary<string, int> running = new();

    /// <summary>A slot to dispose when the download ends, or null when the user already has <see cref="PerUser"/> running.</summary>
    public IDisposable? TryEnter(string userId)
    {
        while (true)
        {
            var count = running.GetOrAdd(userId, 0);
            if (count >= PerUser) return null;
            if (running.TryUpdate(userId, count + 1, count)) return new Slot(this, userId);
        }
    }

    private void Leave(string userId) => running.AddOrUpdate(userId, 0, (_, count) => Math.Max(0, count - 1));

    private sealed class Slot(DownloadLimiter limiter, string userId) : IDisposable
    {
        private int disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) limiter.Leave(userId);
        }
    }
}
