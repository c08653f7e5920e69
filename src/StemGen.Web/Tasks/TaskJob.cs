using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Web.Data;
using StemGen.Web.Jobs;
using StemGen.Web.Events;

namespace StemGen.Web.Tasks;

/// <summary>A queued or running task's row: its id and the Hangfire job that carries it (null: none yet).</summary>
public sealed record OpenTask(int Id, string? HangfireJobId);

/// <summary>What the watchdog and start-up recovery need of every kind of task (<see cref="TasksSetup.AddTaskKind{TJob}"/>).</summary>
public interface ITaskKind
{
    TaskKind Kind { get; }
    /// <summary>How many times Hangfire runs a job of this kind before it gives up.</summary>
    int Attempts { get; }
    Task<IReadOnlyList<OpenTask>> OpenAsync(CancellationToken cancellationToken);
    /// <summary>Ends an open task as failed with this reason (its Hangfire job is gone).</summary>
    Task FailAsync(int id, string reason, CancellationToken cancellationToken);
    /// <summary>Gives an open task without a Hangfire job one.</summary>
    Task EnqueueAsync(int id, CancellationToken cancellationToken);
}

/// <summary>Puts tasks on the studio's queue (<see cref="JobsOptions.QueueNames.Studio"/>): the work of the studio's own job server.</summary>
public sealed class TaskQueue(IBackgroundJobClient hangfire, IOptions<JobsOptions> options)
{
    /// <summary>Creates the Hangfire job that runs task <paramref name="id"/> of <typeparamref name="TJob"/>; returns its id for the row.</summary>
    public string Enqueue<TJob>(int id) => Enqueue(typeof(TJob), id);

    internal string Enqueue(Type job, int id) =>
        hangfire.Create(new Job(job, job.GetMethod(nameof(TaskJob<ITaskRow, object>.RunAsync))!, id, CancellationToken.None), new EnqueuedState(options.Value.Queues.Studio));

    /// <summary>Removes a queued task's Hangfire job (it was cancelled before it started).</summary>
    public void Delete(string? hangfireJobId)
    {
        if (hangfireJobId is not null) hangfire.Delete(hangfireJobId);
    }
}

/// <summary>
/// The one run loop of a long task, as a Hangfire job on the studio's queue; each kind supplies its row and its
/// work. The loop: load the row (nothing to do unless it is queued or running), mark it running, run the work on a
/// worker thread, show its <see cref="TaskProgress"/> on the pages twice a second and write it to the row once a
/// second, reading the row's stop request there (a request made in this process stops it at once, through
/// <see cref="TaskEvents"/>); then end the row succeeded, cancelled (or paused), or failed with
/// <see cref="TaskErrors.ForUser"/>. A server that stops while no stop was asked rethrows: the row stays running
/// and Hangfire runs the job again (every kind resumes or starts over safely).
/// </summary>
public abstract class TaskJob<TRow, TResult>(StudioDbContext db, TaskEvents events, TaskQueue queue, TimeProvider clock, ILogger logger) : ITaskKind
    where TRow : class
{
    protected StudioDbContext Db => db;
    protected TimeProvider Clock => clock;

    public abstract TaskKind Kind { get; }

    public int Attempts => 1;

    /// <summary>The row (tracked), whatever its state; null when it is gone.</summary>
    protected abstract Task<TRow?> FindAsync(int id, CancellationToken cancellationToken);

    /// <summary>The row's lifecycle fields.</summary>
    protected abstract ITaskRow Life(TRow row);

    /// <summary>Queued and running rows (for the watchdog and recovery).</summary>
    public abstract Task<IReadOnlyList<OpenTask>> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The work itself, on a worker thread: reports into <paramref name="progress"/>, stops when <paramref name="stop"/> fires.</summary>
    protected abstract Task<TResult> WorkAsync(TRow row, TaskProgress progress, CancellationToken stop);

    /// <summary>What the row asks for now: <see cref="TaskState.Cancelled"/>, <see cref="TaskState.Paused"/>, or null (go on). Kinds that cannot be stopped keep null.</summary>
    protected virtual Task<TaskState?> StopRequestAsync(int id) => Task.FromResult<TaskState?>(null);

    /// <summary>The work ended well: store its result on the row (the phase defaults to "done").</summary>
    protected virtual void Succeeded(TRow row, TResult result) { }

    /// <summary>The task ended cancelled, paused or failed (its phase and error are set): clean up, say more in the phase.</summary>
    protected virtual void Ended(TRow row, TaskState state) { }

    /// <summary>Twice a second while it runs: progress into the row and to the pages; <paramref name="save"/> once a second.</summary>
    protected virtual async Task TickAsync(TRow row, TaskProgress progress, bool save)
    {
        var life = Life(row);
        (life.Percent, life.Phase) = (Math.Round(progress.Percent, 1), progress.Phase);
        if (save) await db.SaveChangesAsync(CancellationToken.None);
        Publish(row);
    }

    /// <summary>What only this kind tells the pages with each event.</summary>
    protected virtual object? Detail(TRow row) => null;

    /// <summary>The server stops under a running task (it runs again later).</summary>
    protected virtual void Interrupted(TRow row) => logger.LogInformation("{Kind} {Id}: the server stopped; it runs again when the job does", Kind, Id(row));

    private int Id(TRow row) => Life(row).Id;

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(int id, CancellationToken serverStopping)
    {
        var row = await FindAsync(id, serverStopping);
        if (row is null || !Life(row).State.IsOpen()) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        events.Register(Kind, id, stop);
        TaskState state;
        string? error = null;
        try
        {
            if (await StopRequestAsync(id) is not null)
            {
                stop.Cancel(); // stopped before it started
                stop.Token.ThrowIfCancellationRequested();
            }
            var progress = new TaskProgress();
            var life = Life(row);
            (life.State, life.Phase, life.Error) = (TaskState.Running, progress.Phase, null);
            await db.SaveChangesAsync(serverStopping);
            Publish(row);
            var work = Task.Run(() => WorkAsync(row, progress, stop.Token), CancellationToken.None);
            var lastSaved = clock.GetUtcNow();
            while (await Task.WhenAny(work, Task.Delay(500, CancellationToken.None)) != work)
            {
                var save = clock.GetUtcNow() - lastSaved >= TimeSpan.FromSeconds(1);
                if (save) lastSaved = clock.GetUtcNow();
                await TickAsync(row, progress, save);
                if (save && await StopRequestAsync(id) is not null) stop.Cancel();
            }
            var result = await work;
            (state, life.Percent, life.Phase) = (TaskState.Succeeded, 100, "done");
            Succeeded(row, result);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            var request = await StopRequestAsync(id);
            if (request is null && serverStopping.IsCancellationRequested)
            {
                Interrupted(row);
                throw; // the row stays running: Hangfire runs the job again
            }
            state = request ?? TaskState.Cancelled;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "{Kind} {Id} failed", Kind, id);
            (state, error) = (TaskState.Failed, TaskErrors.ForUser(e));
            // Read the row again: what the work left half-made in this context is not saved.
            db.ChangeTracker.Clear();
            row = await FindAsync(id, CancellationToken.None);
            if (row is null) return;
        }
        finally { events.Unregister(Kind, id); }
        await EndAsync(row, state, error);
    }

    /// <summary>Moves the row to its end state (phase "cancelled", "paused" or "failed" unless the work said more), saves it and tells the pages.</summary>
    private async Task EndAsync(TRow row, TaskState state, string? error)
    {
        var life = Life(row);
        life.State = state;
        if (state != TaskState.Succeeded) (life.Phase, life.Error) = (state.ToString().ToLowerInvariant(), error);
        if (state != TaskState.Succeeded) Ended(row, state);
        if (state != TaskState.Paused) life.FinishedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(CancellationToken.None);
        Publish(row);
    }

    public async Task FailAsync(int id, string reason, CancellationToken cancellationToken)
    {
        var row = await FindAsync(id, cancellationToken);
        if (row is null || !Life(row).State.IsOpen()) return;
        await EndAsync(row, TaskState.Failed, reason);
    }

    public async Task EnqueueAsync(int id, CancellationToken cancellationToken)
    {
        var row = await FindAsync(id, cancellationToken);
        if (row is null || !Life(row).State.IsOpen()) return;
        Life(row).HangfireJobId = queue.Enqueue(GetType(), id);
        await db.SaveChangesAsync(cancellationToken);
    }

    protected void Publish(TRow row) => events.Publish(Kind, Id(row), Life(row), Detail(row));
}

/// <summary>
/// A task whose row is its own lifecycle (<typeparamref name="TRow"/> implements <see cref="ITaskRow"/>, as dataset
/// tasks, training runs and evaluations do): finding the row and its open rows come with it.
/// </summary>
public abstract class RowTaskJob<TRow, TResult>(StudioDbContext db, TaskEvents events, TaskQueue queue, TimeProvider clock, ILogger logger)
    : TaskJob<TRow, TResult>(db, events, queue, clock, logger)
    where TRow : class, ITaskRow
{
    protected override Task<TRow?> FindAsync(int id, CancellationToken cancellationToken) =>
        Db.Set<TRow>().FirstOrDefaultAsync(r => EF.Property<int>(r, nameof(ITaskRow.Id)) == id, cancellationToken);

    protected override ITaskRow Life(TRow row) => row;

    public override async Task<IReadOnlyList<OpenTask>> OpenAsync(CancellationToken cancellationToken) =>
        await Db.Set<TRow>()
            .Where(r => EF.Property<TaskState>(r, nameof(ITaskRow.State)) == TaskState.Queued || EF.Property<TaskState>(r, nameof(ITaskRow.State)) == TaskState.Running)
            .Select(r => new OpenTask(EF.Property<int>(r, nameof(ITaskRow.Id)), EF.Property<string?>(r, nameof(ITaskRow.HangfireJobId))))
            .ToListAsync(cancellationToken);
}
