using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Jobs;
using StemGen.Web.Data;

namespace StemGen.Web.Jobs;

/// <summary>
/// Keeps the rows users see in step with Hangfire: a job whose Hangfire job has ended without the
/// runner finishing the row (Hangfire gave up after its retries while the studio was unreachable, or
/// an admin deleted it in the dashboard) is marked failed with Hangfire's reason, instead of showing
/// "Running" or "Queued" forever.
/// </summary>
public sealed class JobWatchdog(IServiceScopeFactory scopes, JobStorage storage, IOptions<JobsOptions> options, ILogger<JobWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(0.2, options.Value.WatchdogIntervalSeconds));
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await CheckAsync(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning(e, "checking jobs against Hangfire failed"); }
        }
    }

    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var open = await db.GenerationJobs.AsNoTracking()
            .Where(j => j.HangfireJobId != null && (j.State == JobState.Queued || j.State == JobState.Running))
            .Select(j => new { j.Id, j.HangfireJobId }).ToListAsync(cancellationToken);
        if (open.Count == 0) return;
        var ledger = scope.ServiceProvider.GetRequiredService<JobLedger>();
        using var connection = storage.GetConnection();
        foreach (var job in open)
        {
            var state = connection.GetStateData(job.HangfireJobId!);
            // Enqueued, Scheduled (a retry waiting), Processing, or Succeeded just before the row catches up: nothing to do.
            var reason = state is null ? "its queue entry is gone (the job storage was reset)"
                : state.Name == DeletedState.StateName ? "it was deleted from the job queue (dashboard)"
                : state.Name == FailedState.StateName ? $"it failed {GenerationJobRunner.MaxAttempts} times: {state.Reason ?? "no reason given"}"
                : null;
            if (reason is null) continue;
            logger.LogWarning("job {JobId}: {Reason}", job.Id, reason);
            await ledger.FinishAsync(job.Id, new JobOutcome(JobOutcomeKind.Failed, $"stopped: {reason}"), cancellationToken);
        }
    }
}
