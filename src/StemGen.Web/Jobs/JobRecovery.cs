using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;

namespace StemGen.Web.Jobs;

/// <summary>
/// At start-up, queued or running jobs that have no Hangfire job yet get one: rows the studio saved
/// just before it died, and rows of a database from before jobs moved to Hangfire.
/// </summary>
public sealed class JobRecovery(IServiceScopeFactory scopes, ILogger<JobRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var jobs = scope.ServiceProvider.GetRequiredService<JobService>();
        var orphans = await db.GenerationJobs.Where(j => j.HangfireJobId == null && (j.State == JobState.Queued || j.State == JobState.Running))
            .OrderBy(j => j.Id).ToListAsync(cancellationToken);
        foreach (var job in orphans) await jobs.EnqueueAsync(job, cancellationToken);
        if (orphans.Count > 0) logger.LogWarning("enqueued {Count} job(s) that had no Hangfire job", orphans.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
