namespace StemGen.Web.Tasks;

/// <summary>
/// At start-up, open tasks of every kind that have no Hangfire job yet get one: rows the studio saved just before
/// it died, and rows of a database from before jobs moved to Hangfire.
/// </summary>
public sealed class TaskRecovery(IServiceScopeFactory scopes, ILogger<TaskRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        foreach (var kind in scope.ServiceProvider.GetServices<ITaskKind>())
        {
            var orphans = (await kind.OpenAsync(cancellationToken)).Where(t => t.HangfireJobId is null).OrderBy(t => t.Id).ToList();
            foreach (var task in orphans) await kind.EnqueueAsync(task.Id, cancellationToken);
            if (orphans.Count > 0) logger.LogWarning("enqueued {Count} {Kind} task(s) that had no Hangfire job", orphans.Count, kind.Kind);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
