using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;
using StemGen.Web.Jobs;
using StemGen.Web.Events;

namespace StemGen.Web.Tasks;

/// <summary>
/// Keeps the rows users see in step with Hangfire, for every kind of task: an open task whose Hangfire job has
/// ended without the task's runner finishing the row (Hangfire gave up after its retries, an admin deleted it in the
/// dashboard, the job storage was reset) is marked failed with the reason, instead of showing "Running", "Queued" or
/// "Preparing" for ever.
/// </summary>
public sealed class TaskWatchdog(IServiceScopeFactory scopes, JobStorage storage, IOptions<JobsOptions> options, ILogger<TaskWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(0.2, options.Value.WatchdogIntervalSeconds));
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await CheckAsync(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning(e, "checking tasks against Hangfire failed"); }
        }
    }

    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        using var connection = storage.GetConnection();
        foreach (var kind in scope.ServiceProvider.GetServices<ITaskKind>())
        {
            foreach (var task in await kind.OpenAsync(cancellationToken))
            {
                if (task.HangfireJobId is null) continue; // start-up recovery enqueues it
                var state = connection.GetStateData(task.HangfireJobId);
                // Enqueued, Scheduled (a retry waiting), Processing, or Succeeded just before the row catches up: nothing to do.
                var reason = state is null ? "its queue entry is gone (the job storage was reset)"
                    : state.Name == DeletedState.StateName ? "it was deleted from the job queue (dashboard)"
                    : state.Name == FailedState.StateName ? $"it failed{(kind.Attempts > 1 ? $" {kind.Attempts} times" : "")}: {state.Reason ?? "no reason given"}"
                    : null;
                if (reason is null) continue;
                logger.LogWarning("{Kind} {Id}: {Reason}", kind.Kind, task.Id, reason);
                await kind.FailAsync(task.Id, $"stopped: {reason}", cancellationToken);
            }
        }
    }
}
