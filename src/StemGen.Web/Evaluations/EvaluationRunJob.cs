using System.Globalization;
using Microsoft.EntityFrameworkCore;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Suite;
using StemGen.Model;
using StemGen.Model.Generation;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Evaluations;

/// <summary>
/// An <see cref="EvaluationRun"/> on the task kernel, with the call `stemgen evaluate` makes (<see cref="EvaluationSuite.Run"/>):
/// the generator loaded from the model file and the codec whose identity matches it, the logmel-stats embedding.
/// Progress is the suite's stage fraction and latest line; the report is stored as JSON at the end. A stopping server
/// leaves it running, and Hangfire runs the evaluation again from the start.
/// </summary>
public sealed class EvaluationRunJob(StudioDbContext db, DatasetPaths paths, EvaluationService evaluations, TaskEvents events, TaskQueue queue,
    TimeProvider clock, ILogger<EvaluationRunJob> logger) : RowTaskJob<EvaluationRun, EvaluationReport>(db, events, queue, clock, logger)
{
    public override TaskKind Kind => TaskKind.Evaluation;

    protected override async Task<TaskState?> StopRequestAsync(int id) =>
        await Db.EvaluationRuns.AnyAsync(r => r.Id == id && r.CancelRequested, CancellationToken.None) ? TaskState.Cancelled : null;

    protected override Task<EvaluationReport> WorkAsync(EvaluationRun run, TaskProgress progress, CancellationToken stop)
    {
        progress.Phase = "loading the model";
        return Task.FromResult(Evaluate(run, new InlineProgress<EvaluationProgress>(p =>
            progress.Report(100 * p.Fraction, p.Message.Length > 500 ? p.Message[..500] : p.Message)), stop));
    }

    protected override void Succeeded(EvaluationRun run, EvaluationReport report)
    {
        (run.ReportJson, run.CancelRequested) = (report.ToJson(), false);
        run.Phase = string.Create(CultureInfo.InvariantCulture, $"finished: {report.Points.Count} settings on {report.Examples} examples");
    }

    protected override void Ended(EvaluationRun run, TaskState state)
    {
        run.CancelRequested = false;
        if (state == TaskState.Cancelled) run.Phase = $"cancelled at {run.Percent:0} %";
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
}
