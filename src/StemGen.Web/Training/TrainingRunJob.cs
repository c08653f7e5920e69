using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Listening;

namespace StemGen.Web.Training;

/// <summary>
/// Trains a <see cref="TrainingRun"/> as a Hangfire job with the library calls `stemgen train` makes: the
/// token cache of the import as a <see cref="TokenCacheBatchSource"/>, <see cref="StemGenTrainer.CreateOrResume"/>
/// (a run with a checkpoint resumes from it: after a pause, or when a stopped server's job runs again), and
/// <see cref="StemGenTrainer.Run"/> on a worker thread. Each progress report becomes a <see cref="TrainingPoint"/>
/// (and one for each validation), written and pushed to open pages twice a second; the run's stop request
/// (pause or cancel) is read there. At the last step the best model is exported as model.safetensors.
/// </summary>
public sealed class TrainingRunJob(StudioDbContext db, ImportedDatasetSource paths, DatasetService datasets, TrainingService training,
    TrainingEvents events, TimeProvider clock, ILogger<TrainingRunJob> logger)
{
    public const string ExportFile = "model.safetensors";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    [DisplayName("Training run {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(int runId, CancellationToken cancellationToken)
    {
        var run = await db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null || run.State is not (TrainingRunState.Queued or TrainingRunState.Running)) return;
        var folder = training.FolderOf(run);
        Directory.CreateDirectory(folder);
        using var log = new StreamWriter(new FileStream(Path.Combine(folder, TrainingService.LogFile), FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        void Log(string line) => log.WriteLine($"{clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} {line}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        events.Register(runId, stop);
        var pending = new ConcurrentQueue<TrainingPoint>();
        var phase = "opening the token cache";
        try
        {
            run.State = TrainingRunState.Running;
            run.Phase = phase;
            run.Error = null;
            await db.SaveChangesAsync(cancellationToken);
            Publish(run, []);
            Log($"start: {run.Dataset}, codec {run.Codec}, preset {run.Preset}, {run.Steps} steps, batch {run.Batch} x {run.SeqFrames} frames, lr {run.LearningRate.ToString(Inv)}, " +
                $"context dropout {run.ContextDropout.ToString(Inv)}, seed {run.Seed}, {run.Device}{(StemGenTrainer.HasCheckpoint(folder) ? ", resuming from the checkpoint" : "")}");

            var work = Task.Run(() => Train(run, folder, pending, p => phase = p, Log, stop.Token), CancellationToken.None);
            while (await Task.WhenAny(work, Task.Delay(500, CancellationToken.None)) != work)
            {
                await FlushAsync(run, pending, phase);
                if (await db.TrainingRuns.AsNoTracking().AnyAsync(r => r.Id == runId && r.StopRequest != TrainingStopRequest.None, CancellationToken.None)) stop.Cancel();
            }
            var outcome = await work;
            await FlushAsync(run, pending, phase);
            run.Step = outcome.Step;
            if (outcome.BestStep >= 0) (run.BestValidationAccuracy, run.BestStep) = (outcome.BestValidationAccuracy, outcome.BestStep);
            if (outcome.Reason == StopReason.Cancelled)
            {
                var request = await db.TrainingRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => r.StopRequest).FirstAsync(CancellationToken.None);
                if (request == TrainingStopRequest.None) throw new OperationCanceledException(); // the server stops: Hangfire runs it again and it resumes
                run.State = request == TrainingStopRequest.Pause ? TrainingRunState.Paused : TrainingRunState.Cancelled;
                run.Phase = request == TrainingStopRequest.Pause ? $"paused at step {outcome.Step} (checkpoint saved)" : $"cancelled at step {outcome.Step}";
            }
            else
            {
                run.State = TrainingRunState.Succeeded;
                run.Exported = true;
                run.Phase = $"{(outcome.Reason == StopReason.EarlyStopping ? "stopped early" : "finished")} at step {outcome.Step}; exported {ExportFile}";
            }
            run.StopRequest = TrainingStopRequest.None;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log("the server stopped: the run resumes from its checkpoint when the job runs again");
            events.Unregister(runId);
            throw;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "training run {RunId} failed", runId);
            run.State = TrainingRunState.Failed;
            run.Phase = "failed";
            run.Error = e is StudioValidationException or InvalidDataException or ArgumentException or FileNotFoundException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            Log($"failed: {run.Error}");
        }
        finally { events.Unregister(runId); }
        if (run.State is TrainingRunState.Succeeded or TrainingRunState.Cancelled) run.FinishedAt = clock.GetUtcNow().UtcDateTime;
        Log(run.Phase ?? run.State.ToString());
        await db.SaveChangesAsync(CancellationToken.None);
        Publish(run, []);
    }

    /// <summary>Writes the points reported since the last flush and the run's step, and pushes them to open pages.</summary>
    private async Task FlushAsync(TrainingRun run, ConcurrentQueue<TrainingPoint> pending, string phase)
    {
        var points = new List<TrainingPoint>();
        while (pending.TryDequeue(out var point)) points.Add(point);
        if (points.Count > 0) run.Step = points.Max(p => p.Step);
        run.Phase = phase;
        db.TrainingPoints.AddRange(points);
        await db.SaveChangesAsync(CancellationToken.None);
        Publish(run, points);
    }

    private TrainingOutcome Train(TrainingRun run, string folder, ConcurrentQueue<TrainingPoint> pending, Action<string> setPhase, Action<string> log, CancellationToken stop)
    {
        using var data = RunData.Open(run, paths, datasets, setPhase, stop);
        var source = data.Source;

        // The model and schedule as `stemgen train --preset P --steps N` composes them.
        var model = StemGenConfig.Preset(run.Preset).ForTraining(data.CodecConfig, run.SeqFrames, run.ContextDropout);
        var schedule = TrainingConfig.Preset(run.Preset).FittedTo(run.Steps);
        var config = (schedule with
        {
            BatchSize = run.Batch, PeakLearningRate = run.LearningRate, Seed = (ulong)run.Seed,
            ValidationInterval = schedule.DefaultValidationInterval, CheckpointInterval = schedule.DefaultValidationInterval, LogInterval = Math.Clamp(run.Steps / 200, 1, 50),
        }).Validate();

        // This job's own thread count (the policy's now: by default the idle cores), whatever other jobs set.
        using var threads = StemGen.Torch.TorchThreads.Use();
        using var trainer = StemGenTrainer.CreateOrResume(folder, model, config, source, new TrainingRequest(null, null, Device: run.Device).ParsedDevice());
        setPhase(trainer.Step > 0 ? $"resumed at step {trainer.Step}" : "training");
        log($"model {trainer.ModelConfig.ParameterCount:N0} parameters on {trainer.Device} ({StemGen.Torch.TorchThreads.Describe(threads.Threads)}); train {source.Train.Summary.Segments} segments, {source.ValidationPairs.Count} validation pairs; codec {source.CodecIdentity}");
        run.ParameterCount = trainer.ModelConfig.ParameterCount;
        var outcome = trainer.Run(new InlineProgress<TrainingProgress>(p =>
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
        if (outcome.Reason != StopReason.Cancelled) Export(folder);
        return outcome;
    }

    /// <summary>RUN/model.safetensors from the best model (or the latest checkpoint), with its validation: as `stemgen train --export-only`.</summary>
    internal static void Export(string folder)
    {
        var best = Path.Combine(folder, StemGenTrainer.BestModelFile);
        var from = File.Exists(best) ? best : Path.Combine(folder, StemGenTrainer.CheckpointFile);
        ValidationResult? validation = null;
        using (var file = TrainingCheckpoint.Load(from))
            if (file.Metadata.ContainsKey(CheckpointKeys.Validation)) validation = file.Get<ValidationResult>(CheckpointKeys.Validation);
        var loaded = ModelCheckpoint.Load(from, StemGen.Torch.Device.CPU);
        using var model = loaded.Model;
        ModelCheckpoint.Save(Path.Combine(folder, ExportFile), model, loaded.CodecIdentity, loaded.Step, validation);
    }

    internal static string Numbers(IEnumerable<double> values) => string.Join(' ', values.Select(v => v.ToString("0.######", Inv)));

    private void Publish(TrainingRun run, IReadOnlyList<TrainingPoint> points) =>
        events.Publish(new TrainingRunEvent(run.Id, run.State, run.Step, run.Phase, run.Error, points));
}
