using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using StemGen.Model.Training;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Training;

/// <summary>A model validated on the run's pairs with the context (null when it was trained never to hear it) and with the context dropped.</summary>
public sealed record ListeningFigures(ValidationResult? WithContext, ValidationResult WithoutContext)
{
    /// <summary>Loss without minus with, per level (nats per token); empty when the model never hears the context.</summary>
    public IReadOnlyList<double> LevelGain => WithContext is null ? [] : WithoutContext.LevelLoss.Zip(WithContext.LevelLoss, (w, h) => w - h).ToList();
}

/// <summary>
/// What `stemgen train --listening-check` prints, kept: the run's best model (its latest checkpoint when none)
/// with the training masks and with each level masked whole (for level 1 the model then has only its conditioning).
/// </summary>
public sealed record ListeningCheckResult(long ModelStep, bool BestModel, double ContextDropout, ListeningFigures TrainingMasks, ListeningFigures WholeLevel)
{
    /// <summary>The headline figure: level 1 masked whole, loss without the context minus with it.</summary>
    public double? Gain => WholeLevel.LevelGain.Count > 0 ? WholeLevel.LevelGain[0] : null;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ListeningCheckResult? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<ListeningCheckResult>(json, Json);
}

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
        using var data = RunData.Open(run, paths, datasets, _ => { }, stop);
        using var trainer = StemGenTrainer.Resume(folder, data.Source, new TrainingRequest(null, null, Device: run.Device).ParsedDevice());
        var best = File.Exists(trainer.BestModelPath);
        if (best) trainer.LoadWeights(trainer.BestModelPath);
        // A model trained never to see the context has untrained context tables: only "dropped" means anything.
        var hears = trainer.ModelConfig.ContextDropout < 1;
        ListeningFigures Figures(bool whole)
        {
            stop.ThrowIfCancellationRequested();
            return new(hears ? trainer.Validate(wholeLevel: whole) : null, trainer.Validate(dropContext: true, wholeLevel: whole));
        }
        return new ListeningCheckResult(best ? trainer.BestStep : trainer.Step, best, trainer.ModelConfig.ContextDropout, Figures(false), Figures(true));
    }
}
