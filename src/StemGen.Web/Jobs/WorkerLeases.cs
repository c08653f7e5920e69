using System.Security.Claims;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Jobs;

/// <summary>
/// A remote worker touches a job only between its claim and its end, and only the job it claimed. The claim is
/// allowed while Hangfire has handed the job's Hangfire job to a server (state Processing); it writes a lease into
/// the row: the worker's key and that Hangfire server. Every later call (stems, candidates, progress, finish) needs
/// the job Running under a lease of the caller's key, and the key not revoked. A re-claim by another key is allowed
/// only when Hangfire handed the job to another server (the first worker died); the old holder is refused from then on.
/// Refusals are logged with the worker's name: they are either bugs or a compromised worker.
/// </summary>
public sealed class WorkerLeases(StudioDbContext db, JobStorage hangfire, ILogger<WorkerLeases> logger)
{
    public enum Verdict { Allowed, NotFound, Forbidden }

    public static string Holder(ClaimsPrincipal worker) => worker.FindFirstValue(WorkerKeyAuthentication.HolderClaim) ?? "";

    /// <summary>The lease a claim by <paramref name="worker"/> would take now, or why it may not claim.</summary>
    public async Task<(Verdict Verdict, string? Lease)> ClaimableAsync(int jobId, ClaimsPrincipal worker, CancellationToken cancellationToken)
    {
        var holder = Holder(worker);
        var job = await db.GenerationJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.State, j.HangfireJobId, j.Lease }).FirstOrDefaultAsync(cancellationToken);
        if (job is null) return Refuse(Verdict.NotFound, jobId, worker, "claim: no such job");
        if (job.HangfireJobId is null) return Refuse(Verdict.Forbidden, jobId, worker, "claim: the job has no Hangfire job");
        using var connection = hangfire.GetConnection();
        var state = connection.GetStateData(job.HangfireJobId);
        if (state is null || state.Name != ProcessingState.StateName || !state.Data.TryGetValue("ServerId", out var server))
            return Refuse(Verdict.Forbidden, jobId, worker, $"claim: Hangfire job {job.HangfireJobId} is {state?.Name ?? "gone"}, not processing");
        var lease = $"{holder}@{server}";
        // Running under another key on the same Hangfire server: that worker holds it. (Another server: Hangfire gave it again.)
        if (job.State == TaskState.Running && job.Lease is { } current && current != lease && current.EndsWith("@" + server, StringComparison.Ordinal))
            return Refuse(Verdict.Forbidden, jobId, worker, $"claim: held by {current}");
        return (Verdict.Allowed, lease);
    }

    /// <summary>Whether <paramref name="worker"/> holds the running job <paramref name="jobId"/> now.</summary>
    public async Task<Verdict> CheckAsync(int jobId, ClaimsPrincipal worker, string action, CancellationToken cancellationToken)
    {
        var holder = Holder(worker);
        var job = await db.GenerationJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.State, j.Lease }).FirstOrDefaultAsync(cancellationToken);
        if (job is null) return Refuse(Verdict.NotFound, jobId, worker, $"{action}: no such job").Verdict;
        if (job.State != TaskState.Running) return Refuse(Verdict.Forbidden, jobId, worker, $"{action}: the job is {job.State}").Verdict;
        if (job.Lease is null || !job.Lease.StartsWith(holder + "@", StringComparison.Ordinal) || holder.Length == 0)
            return Refuse(Verdict.Forbidden, jobId, worker, $"{action}: the job is held by {job.Lease ?? "nobody"}").Verdict;
        if (holder.StartsWith("key:", StringComparison.Ordinal) && int.TryParse(holder.AsSpan(4), out var keyId)
            && !await db.WorkerKeys.AnyAsync(k => k.Id == keyId && k.RevokedAt == null, cancellationToken))
            return Refuse(Verdict.Forbidden, jobId, worker, $"{action}: the key was revoked").Verdict;
        return Verdict.Allowed;
    }

    public static IResult Answer(Verdict verdict) => verdict == Verdict.NotFound ? Results.NotFound() : Results.StatusCode(StatusCodes.Status403Forbidden);

    private (Verdict Verdict, string? Lease) Refuse(Verdict verdict, int jobId, ClaimsPrincipal worker, string why)
    {
        logger.LogWarning("worker {Worker} ({Holder}) refused on job {JobId}: {Why}", worker.Identity?.Name, Holder(worker), jobId, why);
        return (verdict, null);
    }
}
