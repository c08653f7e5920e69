using System.ComponentModel;
using System.Globalization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Suite;
using StemGen.Model.Generation;
using StemGen.Web.Data;
using StemGen.Web.Listening;

namespace StemGen.Web.Evaluations;

/// <summary>
/// Runs an <see cref="EvaluationRun"/> as a Hangfire job on the CPU queue with the call `stemgen evaluate` makes
/// (<see cref="EvaluationSuite.Run"/>, on a worker thread): the generator loaded from the model file and the codec
/// whose identity matches it, the logmel-stats embedding. Progress (stage fraction and latest line) is written and
/// pushed to open pages twice a second, where a cancel request is read; the report is stored as JSON at the end.
/// A stopping server rethrows, so Hangfire runs the evaluation again from the start.
/// </summary>
public sealed class EvaluationRunJob(StudioDbContext db, ImportedDatasetSource paths, EvaluationService evaluations, EvaluationEvents events,
    TimeProvider clock, ILogger<EvaluationRunJob> logger)
{
    [DisplayName("Evaluation {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(int runId, CancellationToken cancellationToken)
    {
        var run = await db.EvaluationRuns.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null || run.State is not (EvaluationRunState.Queued or EvaluationRunState.Running)) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        events.Register(runId, stop);
        EvaluationProgress? latest = null;
        try
        {
            (run.State, run.Phase, run.Percent, run.Error) = (EvaluationRunState.Running, "loading the model", 0, null);
            await db.SaveChangesAsync(cancellationToken);
            Publish(run);
            var work = Task.Run(() => Evaluate(run, new InlineProgress<EvaluationProgress>(p => latest = p), stop.Token), CancellationToken.None);
            while (await Task.WhenAny(work, Task.Delay(500, CancellationToken.None)) != work)
            {
                await FlushAsync(run, latest);
                if (await db.EvaluationRuns.AsNoTracking().AnyAsync(r => r.Id == runId && r.CancelRequested, CancellationToken.None)) stop.Cancel();
            }
            var report = await work;
            run.ReportJson = report.ToJson();
            (run.State, run.Percent) = (EvaluationRunState.Succeeded, 100);
            run.Phase = string.Create(CultureInfo.InvariantCulture, $"finished: {report.Points.Count} settings on {report.Examples} examples");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("evaluation {RunId}: the server stopped; it runs again when the job does", runId);
            throw; // the row stays Running: Hangfire reruns the job
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) // only a cancel request stops it while the server runs
        {
            (run.State, run.Phase) = (EvaluationRunState.Cancelled, $"cancelled at {run.Percent:0} %");
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "evaluation {RunId} failed", runId);
            (run.State, run.Phase) = (EvaluationRunState.Failed, "failed");
            run.Error = e is StudioValidationException or InvalidDataException or InvalidOperationException or ArgumentException or FileNotFoundException
                ? e.Message : $"{e.GetType().Name}: {e.Message}";
        }
        finally { events.Unregister(runId); }
        run.CancelRequested = false;
        run.FinishedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(CancellationToken.None);
        Publish(run);
    }

    /// <summary>The latest stage and line as the run's percent and phase.</summary>
    private async Task FlushAsync(EvaluationRun run, EvaluationProgress? latest)
    {
        if (latest is null) return;
        run.Percent = Math.Round(100 * latest.Fraction, 1);
        run.Phase = latest.Message.Length > 500 ? latest.Message[..500] : latest.Message;
        await db.SaveChangesAsync(CancellationToken.None);
        Publish(run);
    }

    private EvaluationReport Evaluate(EvaluationRun run, IProgress<EvaluationProgress> progress, CancellationToken stop)
    {
        var plan = EvaluationService.RequestOf(run).Validate();
        var manifest = ImportManifest.Load(Path.Combine(paths.Resolve(run.Dataset), ImportManifest.FileName));
        StemGenerator? generator = null;
        try
        {
            if (plan.Points.Count > 0)
            {
                if (!File.Exists(run.ModelPath)) throw new FileNotFoundException($"the model file of {run.Model} is gone ({run.ModelPath})");
                var codec = evaluations.CodecFor(run.CodecIdentity) ?? throw new StudioValidationException($"no codec here matches {run.Model} (codec {run.CodecIdentity}) any more");
                // The CPU queue's job: generate on the CPU, whatever accelerator the studio's generator uses.
                generator = StemGenerator.Load(codec, run.ModelPath, StemGen.Torch.Device.CPU);
            }
            var embedding = new LogMelStatisticsEmbedding();
            var name = generator is null ? "none (baseline only)" : $"{run.Model} ({run.CodecIdentity})";
            return EvaluationSuite.Run(generator, plan, manifest, run.Split, run.Examples, run.Seconds, run.Seed, embedding, Environment.ProcessorCount, name, progress, stop);
        }
        finally { generator?.Dispose(); }
    }

    private void Publish(EvaluationRun run) => events.Publish(new EvaluationRunEvent(run.Id, run.State, run.Percent, run.Phase, run.Error));
}
