using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using StemGen.Model;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Training;

/// <summary>What a training run tells its open pages besides its state: its step and the curve points since the last event.</summary>
public sealed record TrainingDetail(long Step, IReadOnlyList<TrainingPoint> Points);

/// <summary>
/// A <see cref="TrainingRun"/> on the task kernel, with the library calls `stemgen train` makes: the token cache of
/// the import as a <see cref="TokenCacheBatchSource"/>, <see cref="StemGenTrainer.CreateOrResume"/> (a run with a
/// checkpoint resumes from it: after a pause, or when a stopped server's job runs again), and
/// <see cref="StemGenTrainer.Run"/>. Each progress report becomes a <see cref="TrainingPoint"/> (and one for each
/// validation), pushed to open pages twice a second and written once a second; the run's stop request is a pause
/// (checkpoint, state paused) or a cancel. At the last step the best model is exported as model.safetensors.
/// Every line of the run's log goes to its folder (<see cref="TrainingService.LogFile"/>).
/// </summary>
public sealed class TrainingRunJob(StudioDbContext db, DatasetPaths paths, DatasetService datasets, TrainingService training,
    TaskEvents events, TaskQueue queue, TimeProvider clock, ILogger<TrainingRunJob> logger) : RowTaskJob<TrainingRun, TrainingOutcome>(db, events, queue, clock, logger)
{
    public const string ExportFile = TrainingExport.FileName;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    // What the worker thread learns goes here, never into the tracked row, which only the job's thread writes
    // (a value written while EF saves can be taken for saved and never written).
    private readonly ConcurrentQueue<TrainingPoint> pending = new();
    private List<TrainingPoint> flushed = [];
    private long? parameterCount;
    private TrainingOutcome? outcome;

    public override TaskKind Kind => TaskKind.Training;

    protected override async Task<TaskState?> StopRequestAsync(int id) =>
        await Db.TrainingRuns.AsNoTracking().Where(r => r.Id == id).Select(r => r.StopRequest).FirstOrDefaultAsync(CancellationToken.None) switch
        {
            TrainingStopRequest.Pause => TaskState.Paused,
            TrainingStopRequest.Cancel => TaskState.Cancelled,
            _ => null,
        };

    protected override Task<TrainingOutcome> WorkAsync(TrainingRun run, TaskProgress progress, CancellationToken stop)
    {
        var folder = training.FolderOf(run);
        Directory.CreateDirectory(folder);
        progress.Phase = "opening the token cache";
        Log(run, $"start: {run.Dataset}, codec {run.Codec}, preset {run.Preset}, {run.Steps} steps, batch {run.Batch} x {run.SeqFrames} frames, lr {run.LearningRate.ToString(Inv)}, " +
            $"context dropout {run.ContextDropout.ToString(Inv)}, seed {run.Seed}, {run.Device}{(StemGenTrainer.HasCheckpoint(folder) ? ", resuming from the checkpoint" : "")}");
        var result = outcome = Train(run, folder, p => progress.Phase = p, line => Log(run, line), stop);
        if (result.Reason == StopReason.Cancelled) throw new OperationCanceledException(stop); // paused or cancelled, or the server stops
        return Task.FromResult(result);
    }

    /// <summary>Takes the points reported since the last tick into the run (written with it) and to the pages.</summary>
    protected override async Task TickAsync(TrainingRun run, TaskProgress progress, bool save)
    {
        flushed = [];
        while (pending.TryDequeue(out var point)) flushed.Add(point);
        if (flushed.Count > 0) run.Step = flushed.Max(p => p.Step);
        run.ParameterCount ??= parameterCount;
        Db.TrainingPoints.AddRange(flushed);
        await base.TickAsync(run, progress, save);
        flushed = [];
    }

    protected override object? Detail(TrainingRun run) => new TrainingDetail(run.Step, flushed);

    protected override void Succeeded(TrainingRun run, TrainingOutcome outcome)
    {
        Settle(run);
        (run.Exported, run.StopRequest) = (true, TrainingStopRequest.None);
        run.Phase = $"{(outcome.Reason == StopReason.EarlyStopping ? "stopped early" : "finished")} at step {outcome.Step}; exported {ExportFile}";
        Log(run, run.Phase);
    }

    protected override void Ended(TrainingRun run, TaskState state)
    {
        if (state != TaskState.Failed) Settle(run);
        run.StopRequest = TrainingStopRequest.None;
        run.Phase = state switch
        {
            TaskState.Paused => $"paused at step {run.Step} (checkpoint saved)",
            TaskState.Cancelled => $"cancelled at step {run.Step}",
            _ => run.Phase,
        };
        Log(run, state == TaskState.Failed ? $"failed: {run.Error}" : run.Phase!);
    }

    /// <summary>The last points and what the trainer reported, into the row (on the job's thread, after the work).</summary>
    private void Settle(TrainingRun run)
    {
        Db.TrainingPoints.AddRange(pending);
        run.ParameterCount ??= parameterCount;
        if (outcome is not { } o) return;
        run.Step = o.Step;
        if (o.BestStep >= 0) (run.BestValidationAccuracy, run.BestStep) = (o.BestValidationAccuracy, o.BestStep);
    }

    protected override void Interrupted(TrainingRun run) => Log(run, "the server stopped: the run resumes from its checkpoint when the job runs again");

    private void Log(TrainingRun run, string line)
    {
        var folder = training.FolderOf(run);
        Directory.CreateDirectory(folder);
        File.AppendAllText(Path.Combine(folder, TrainingService.LogFile), $"{Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} {line}{Environment.NewLine}");
    }

    private TrainingOutcome Train(TrainingRun run, string folder, Action<string> setPhase, Action<string> log, CancellationToken stop)
    {
        using var data = RunData.Open(run, folder, paths, datasets, setPhase, stop);
        var source = data.Source;

        // The model and schedule as `stemgen train --preset P --steps N` composes them.
        var model = StemGenConfig.Preset(run.Preset).ForTraining(data.CodecConfig, run.SeqFrames, run.ContextDropout);
        var schedule = TrainingConfig.Preset(run.Preset).FittedTo(run.Steps);
        var config = (schedule with
        {
            BatchSize = run.Batch,
            PeakLearningRate = run.LearningRate,
            Seed = (ulong)run.Seed,
            ValidationInterval = schedule.DefaultValidationInterval,
            CheckpointInterval = schedule.DefaultValidationInterval,
            LogInterval = Math.Clamp(run.Steps / 200, 1, 50),
        }).Validate();

        // This job's own thread count (the policy's now: by default the idle cores), whatever other jobs set.
        using var threads = StemGen.Torch.TorchThreads.Use();
        using var trainer = StemGenTrainer.CreateOrResume(folder, model, config, source, new TrainingRequest(null, null, Device: run.Device).ParsedDevice());
        setPhase(trainer.Step > 0 ? $"resumed at step {trainer.Step}" : "training");
        log($"model {trainer.ModelConfig.ParameterCount:N0} parameters on {trainer.Device} ({StemGen.Torch.TorchThreads.Describe(threads.Threads)}); train {source.Train.Summary.Segments} segments, {source.ValidationPairs.Count} validation pairs; codec {source.CodecIdentity}");
        parameterCount = trainer.ModelConfig.ParameterCount;
        var ran = trainer.Run(new InlineProgress<TrainingProgress>(p =>
        {
            pending.Enqueue(new TrainingPoint
            {
                RunId = run.Id, Step = p.Step, Loss = p.Loss, LevelAccuracy = Numbers(p.LevelAccuracy), LearningRate = p.LearningRate, TokensPerSecond = p.TokensPerSecond,
            });
            log(string.Create(Inv, $"step {p.Step}/{p.MaxSteps} loss {p.Loss:0.000} acc [{Numbers(p.LevelAccuracy)}] lr {p.LearningRate:0.00e+0} {p.TokensPerSecond:0} tokens/s"));
            if (p.Validation is { } v)
            {
                pending.Enqueue(new TrainingPoint
                {
                    RunId = run.Id, Step = v.Step, Validation = true, Loss = v.Loss, LevelAccuracy = Numbers(v.LevelAccuracy), LevelLoss = Numbers(v.LevelLoss),
                    LearningRate = p.LearningRate, TokensPerSecond = p.TokensPerSecond,
                });
                log(string.Create(Inv, $"validation step {v.Step} loss {v.Loss:0.000} acc {v.Accuracy:0.0000} [{Numbers(v.LevelAccuracy)}]"));
            }
            setPhase(p.Eta is { } eta ? $"training, about {eta.TotalMinutes:0} min left" : "training");
        }), stop);
        if (ran.Reason != StopReason.Cancelled) TrainingExport.Export(folder);
        return ran;
    }

    internal static string Numbers(IEnumerable<double> values) => string.Join(' ', values.Select(v => v.ToString("0.######", Inv)));
}
