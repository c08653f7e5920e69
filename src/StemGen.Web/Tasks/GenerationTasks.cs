using Microsoft.EntityFrameworkCore;
using StemGen.Jobs;
using StemGen.Web.Data;
using StemGen.Web.Jobs;
using StemGen.Web.Events;

namespace StemGen.Web.Tasks;

/// <summary>
/// Generation jobs as one kind of task for the watchdog and recovery. Their runner is <see cref="GenerationJobRunner"/>
/// (in StemGen.Jobs, so GPU workers can run it) and their rows move through <see cref="JobLedger"/>.
/// </summary>
public sealed class GenerationTasks(StudioDbContext db, JobLedger ledger, JobService jobs) : ITaskKind
{
    public TaskKind Kind => TaskKind.Generation;

    public int Attempts => GenerationJobRunner.MaxAttempts;

    public async Task<IReadOnlyList<OpenTask>> OpenAsync(CancellationToken cancellationToken) =>
        await db.GenerationJobs.AsNoTracking().Where(j => j.State == TaskState.Queued || j.State == TaskState.Running)
            .Select(j => new OpenTask(j.Id, j.HangfireJobId)).ToListAsync(cancellationToken);

    public Task FailAsync(int id, string reason, CancellationToken cancellationToken) =>
        ledger.FinishAsync(id, new JobOutcome(JobOutcomeKind.Failed, reason), cancellationToken);

    public async Task EnqueueAsync(int id, CancellationToken cancellationToken)
    {
        if (await db.GenerationJobs.FirstOrDefaultAsync(j => j.Id == id, cancellationToken) is { } job) await jobs.EnqueueAsync(job, cancellationToken);
    }
}
