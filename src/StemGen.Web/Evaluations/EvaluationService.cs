using Microsoft.EntityFrameworkCore;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Suite;
using StemGen.Model.Codec;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Jobs;
using StemGen.Web.Events;
using StemGen.Web.Tasks;
using StemGen.Web.Training;

namespace StemGen.Web.Evaluations;

/// <summary>
/// Launch (checked: the settings, a model of the model library, an import with the split, a codec matching the
/// model; nothing is stored when anything is wrong), list, read and cancel evaluations. Callers check the Admin role.
/// </summary>
public sealed class EvaluationService(
    StudioDbContext db, DatasetPaths paths, DatasetService datasets, ModelLibrary models, TaskQueue queue,
    TaskEvents events, TimeProvider clock)
{
    public sealed record RunRow(int Id, string Model, string Dataset, string Split, string Runs, int Examples, double Seconds, string Embedding,
        TaskState State, string? Phase, double Percent, DateTime CreatedAt, DateTime? FinishedAt);

    public async Task<List<RunRow>> ListAsync(CancellationToken cancellationToken = default) =>
        await db.EvaluationRuns.AsNoTracking().OrderByDescending(r => r.Id)
            .Select(r => new RunRow(r.Id, r.Model, r.Dataset, r.Split, r.Runs, r.Examples, r.Seconds, r.Embedding, r.State, r.Phase, r.Percent, r.CreatedAt, r.FinishedAt))
            .ToListAsync(cancellationToken);

    public async Task<EvaluationRun?> GetAsync(int id, CancellationToken cancellationToken = default) =>
        await db.EvaluationRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);

    /// <summary>The report of a succeeded run; null before that.</summary>
    public static EvaluationReport? ReportOf(EvaluationRun run) =>
        run.State == TaskState.Succeeded && run.ReportJson is { } json ? EvaluationReport.FromJson(json) : null;

    /// <summary>The codec file whose identity is <paramref name="identity"/>, among those the datasets page offers; null when none is.</summary>
    public string? CodecFor(string identity) =>
        datasets.Codecs().Select(c => c.Path).FirstOrDefault(path =>
        {
            using var codec = EncodecModel.Load(path);
            return codec.ComputeIdentity() == identity;
        });

    public async Task<EvaluationRun> LaunchAsync(string adminId, EvaluationRequest request, CancellationToken cancellationToken = default)
    {
        var plan = request.Validate();
        var available = await models.ListAsync(cancellationToken);
        var model = available.FirstOrDefault(m => m.Name == request.Model?.Trim())
            ?? throw new StudioValidationException($"unknown model '{request.Model}': choose one of {string.Join(", ", available.Where(m => m.Error is null).Select(m => m.Name))}");
        if (model.Error is not null) throw new StudioValidationException($"{model.Name} cannot be evaluated: {model.Error}");

        var folder = paths.Resolve(request.Dataset ?? "");
        var name = request.Dataset!.Trim();
        var manifestFile = Path.Combine(folder, ImportManifest.FileName);
        if (!File.Exists(manifestFile)) throw new StudioValidationException($"'{name}' is not an imported dataset (no {ImportManifest.FileName})");
        var manifest = ImportManifest.Load(manifestFile);
        var split = request.Split!.Trim();
        if (SegmentRef.Of(manifest, split).Count == 0)
        {
            var splits = manifest.Tracks.Select(t => t.Split).Distinct().Order(StringComparer.Ordinal).ToList();
            throw new StudioValidationException($"the '{split}' split of '{name}' has no tracks with a segment of two or more stems (it has {(splits.Count == 0 ? "no tracks" : string.Join(", ", splits))})");
        }
        if (plan.Baseline && manifest.Split(split).Count() < 2)
            throw new StudioValidationException($"the mismatched baseline needs a stem of another song: the '{split}' split of '{name}' has a single song");
        if (plan.Points.Count > 0 && await Task.Run(() => CodecFor(model.CodecIdentity), cancellationToken) is null)
            throw new StudioValidationException($"no codec here matches {model.Name} (codec {model.CodecIdentity}): the studio has {string.Join(", ", datasets.Codecs().Select(c => c.Name))}");

        var run = new EvaluationRun
        {
            Model = model.Name, ModelPath = model.Path, CodecIdentity = model.CodecIdentity, Dataset = Path.GetRelativePath(paths.Root, folder), Split = split,
            Runs = string.Join(',', EvaluationRequest.Canonical(request.Runs).Split(',').Select(r => r.ToLowerInvariant()).Distinct()),
            Examples = request.Examples, Seconds = request.Seconds, Embedding = request.Embedding!.Trim().ToLowerInvariant(), Seed = request.Seed,
            Steps = EvaluationRequest.Canonical(request.Steps), Table1Scales = EvaluationRequest.Canonical(request.Table1Scales),
            Table2Ws = EvaluationRequest.Canonical(request.Table2Ws), StepsGrid = EvaluationRequest.Canonical(request.StepsGrid),
            State = TaskState.Queued, Phase = "queued", CreatedById = adminId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.EvaluationRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        run.HangfireJobId = queue.Enqueue<EvaluationRunJob>(run.Id);
        await db.SaveChangesAsync(cancellationToken);
        Publish(run);
        return run;
    }

    /// <summary>The request a stored run was launched with (the job plans from it again).</summary>
    public static EvaluationRequest RequestOf(EvaluationRun run) => new(run.Model, run.Dataset, run.Split, run.Runs, run.Examples, run.Seconds, run.Embedding,
        run.Seed, run.Steps, run.Table1Scales, run.Table2Ws, run.StepsGrid);

    /// <summary>Cancel: a running evaluation stops at its next example; a queued one does not start.</summary>
    public async Task CancelAsync(int id, CancellationToken cancellationToken = default)
    {
        var run = await db.EvaluationRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new KeyNotFoundException();
        if (run.State is not (TaskState.Queued or TaskState.Running))
            throw new StudioValidationException($"evaluation {id} is {run.State.ToString().ToLowerInvariant()}: it cannot be cancelled");
        if (run.State == TaskState.Running)
        {
            run.CancelRequested = true;
            run.Phase = "cancelling";
            await db.SaveChangesAsync(cancellationToken);
            events.Stop(TaskKind.Evaluation, id);
        }
        else
        {
            queue.Delete(run.HangfireJobId);
            run.State = TaskState.Cancelled;
            run.Phase = "cancelled";
            run.FinishedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
        }
        Publish(run);
    }

    private void Publish(EvaluationRun run) => events.Publish(TaskKind.Evaluation, run.Id, run);
}
