using Microsoft.EntityFrameworkCore;
using StemGen.Model.Training;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Training;

/// <summary>
/// The listening check of a stopped run on the task kernel: opens the run's data and checkpoint as the training job
/// does, loads the best model and validates it with and without the context. Its lifecycle lives in the run's
/// ListeningCheck* columns (<see cref="CheckLife"/>); the figures go to the run row (<see cref="TrainingRun.ListeningGain"/>
/// is shown with the exported model), a failure's message to <see cref="TrainingRun.ListeningCheckJson"/>.
/// </summary>
public sealed class ListeningCheckJob(StudioDbContext db, DatasetPaths paths, DatasetService datasets, TrainingService training,
    TaskEvents events, TaskQueue queue, TimeProvider clock, ILogger<ListeningCheckJob> logger)
    : TaskJob<TrainingRun, ListeningCheckResult>(db, events, queue, clock, logger)
{
    public override TaskKind Kind => TaskKind.ListeningCheck;

    protected override Task<TrainingRun?> FindAsync(int id, CancellationToken cancellationToken) => Db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);

    protected override ITaskRow Life(TrainingRun row) => new CheckLife(row);

    public override async Task<IReadOnlyList<OpenTask>> OpenAsync(CancellationToken cancellationToken) =>
        await Db.TrainingRuns.Where(r => r.ListeningCheck == TaskState.Queued || r.ListeningCheck == TaskState.Running)
            .Select(r => new OpenTask(r.Id, r.ListeningCheckJobId)).ToListAsync(cancellationToken);

    protected override Task<ListeningCheckResult> WorkAsync(TrainingRun run, TaskProgress progress, CancellationToken stop)
    {
        progress.Phase = "validating";
        return Task.FromResult(Check(run, training.FolderOf(run), stop));
    }

    protected override void Succeeded(TrainingRun run, ListeningCheckResult result) => (run.ListeningCheckJson, run.ListeningGain) = (result.ToJson(), result.Gain);

    protected override void Ended(TrainingRun run, TaskState state) => run.ListeningGain = null;

    /// <summary>The check's lifecycle in the run row's ListeningCheck columns: only its state, its error (in the JSON column) and its Hangfire job are kept.</summary>
    private sealed class CheckLife(TrainingRun run) : ITaskRow
    {
        public int Id => run.Id;
        public TaskState State { get => run.ListeningCheck ?? TaskState.Cancelled; /* never run: nothing to do */ set => run.ListeningCheck = value; }
        public double Percent { get => 0; set { } }
        public string? Phase { get => null; set { } }
        public string? Error { get => run.ListeningCheck == TaskState.Failed ? run.ListeningCheckJson : null; set => run.ListeningCheckJson = value; }
        public string? HangfireJobId { get => run.ListeningCheckJobId; set => run.ListeningCheckJobId = value; }
        public DateTime? FinishedAt { get => null; set { } }
    }

    private ListeningCheckResult Check(TrainingRun run, string folder, CancellationToken stop)
    {
        using var data = RunData.Open(run, folder, paths, datasets, _ => { }, stop);
        using var trainer = StemGenTrainer.Resume(folder, data.Source, new TrainingRequest(null, null, Device: run.Device).ParsedDevice());
        return ListeningCheck.Run(trainer, stop);
    }
}
