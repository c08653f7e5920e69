using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Jobs;
using StemGen.Web.Data;

namespace StemGen.Web.Security;

/// <summary>What one account may hold at once ("Quotas" section); the rate limits (RateLimits) bound how fast it gets there.</summary>
public sealed class QuotaOptions
{
    public const string Section = "Quotas";

    /// <summary>Generation jobs one user may have queued or running at once (default 3): one user's backlog cannot fill the queue for everyone.</summary>
    public int MaxQueuedJobsPerUser { get; set; } = 3;

    /// <summary>Bytes of stems and candidates in the projects a user owns (default 5 GiB).</summary>
    public long MaxStoredBytesPerUser { get; set; } = 5L << 30;
}

/// <summary>A user's figures against their quotas, as the project page shows them before they are reached (GET /api/me/quotas).</summary>
public sealed record QuotaView(int QueuedJobs, int MaxQueuedJobs, int MaxVariationsPerJob, long StoredBytes, long MaxStoredBytes);

/// <summary>A request beyond a quota: answered 429 with Retry-After when waiting helps (a job ends), 413 when the user must make room.</summary>
public sealed class QuotaExceededException(string message, TimeSpan? retryAfter) : StudioValidationException(message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>Per-user limits on queued jobs, variations per job (Generation:MaxVariations) and stored bytes.</summary>
public sealed class UserQuotas(StudioDbContext db, IOptions<QuotaOptions> quotas, IOptions<GenerationOptions> generation)
{
    /// <summary>When a queued-jobs refusal says to try again: about one short job.</summary>
    public static readonly TimeSpan JobRetryAfter = TimeSpan.FromSeconds(30);

    public async Task<QuotaView> ForUserAsync(string userId, CancellationToken cancellationToken) => new(
        await QueuedJobsAsync(userId, cancellationToken), quotas.Value.MaxQueuedJobsPerUser, generation.Value.MaxVariations,
        await StoredBytesAsync(userId, cancellationToken), quotas.Value.MaxStoredBytesPerUser);

    /// <summary>One gate per user, so that requests at the same moment cannot all pass the count before any is saved.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> QueueGates = new();

    /// <summary>
    /// Refuses a new job when the user already has their quota of jobs queued or running; otherwise holds the user's gate
    /// until the returned lease is disposed, which the caller does once the new job is saved.
    /// </summary>
    public async Task<IDisposable> ReserveQueueSlotAsync(string userId, CancellationToken cancellationToken)
    {
        var gate = QueueGates.GetOrAdd(userId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var queued = await QueuedJobsAsync(userId, cancellationToken);
            if (queued >= quotas.Value.MaxQueuedJobsPerUser)
                throw new QuotaExceededException($"you have {queued} generation job(s) queued or running, the most one account may have; " +
                                                 "start another when one ends (or cancel one)", JobRetryAfter);
            return new Release(gate);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int released;
        public void Dispose() { if (Interlocked.Exchange(ref released, 1) == 0) gate.Release(); }
    }

    /// <summary>Refuses an upload of <paramref name="bytes"/> into a project whose owner's stored bytes would pass their quota.</summary>
    public async Task EnsureCanStoreAsync(int projectId, long bytes, CancellationToken cancellationToken)
    {
        var owners = await db.ProjectMembers.Where(m => m.ProjectId == projectId && m.Role == ProjectRole.Owner).Select(m => m.UserId).ToListAsync(cancellationToken);
        foreach (var owner in owners)
        {
            var stored = await StoredBytesAsync(owner, cancellationToken);
            if (stored + bytes > quotas.Value.MaxStoredBytesPerUser)
                throw new QuotaExceededException($"this upload ({bytes / 1e6:0.#} MB) would take the project owner's storage to {(stored + bytes) / 1e6:0.#} MB, " +
                                                 $"over the {quotas.Value.MaxStoredBytesPerUser / 1e6:0.#} MB one account may hold: delete stems or projects first", null);
        }
    }

    private Task<int> QueuedJobsAsync(string userId, CancellationToken cancellationToken) =>
        db.GenerationJobs.CountAsync(j => j.RequestedById == userId && (j.State == TaskState.Queued || j.State == TaskState.Running), cancellationToken);

    /// <summary>Stems and candidates in the projects the user owns (a blob shared by several rows counts for each: it is what they could keep).</summary>
    private async Task<long> StoredBytesAsync(string userId, CancellationToken cancellationToken)
    {
        var owned = db.ProjectMembers.Where(m => m.UserId == userId && m.Role == ProjectRole.Owner).Select(m => m.ProjectId);
        var stems = await db.Stems.Where(s => owned.Contains(s.ProjectId)).SumAsync(s => (long?)s.SizeBytes, cancellationToken) ?? 0;
        var candidates = await db.GenerationCandidates.Where(c => owned.Contains(c.Job!.ProjectId)).SumAsync(c => (long?)c.SizeBytes, cancellationToken) ?? 0;
        return stems + candidates;
    }
}
