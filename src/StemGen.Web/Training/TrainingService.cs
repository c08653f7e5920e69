using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model.Codec;
using StemGen.Model.Training;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Jobs;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Training;

/// <summary>
/// Launch (checked: the dataset, its train and validation splits, and a token cache built with the chosen
/// codec; nothing is stored when anything is wrong), pause, resume and cancel training runs. Callers check the Admin role.
/// </summary>
public sealed class TrainingService(
    StudioDbContext db, DatasetPaths paths, DatasetService datasets, TaskQueue queue,
    IOptions<StudioOptions> studio, TaskEvents events, TimeProvider clock)
{
    public const string LogFile = "log.txt";

    public sealed record RunRow(int Id, string Dataset, string Codec, string Preset, long Steps, long Step, TaskState State, string? Phase,
        double? BestValidationAccuracy, bool Exported, DateTime CreatedAt);

    public async Task<List<RunRow>> ListAsync(CancellationToken cancellationToken = default) =>
        await db.TrainingRuns.AsNoTracking().OrderByDescending(r => r.Id)
            .Select(r => new RunRow(r.Id, r.Dataset, r.Codec, r.Preset, r.Steps, r.Step, r.State, r.Phase, r.BestValidationAccuracy, r.Exported, r.CreatedAt))
            .ToListAsync(cancellationToken);

    public async Task<TrainingRun?> GetAsync(int id, CancellationToken cancellationToken = default) =>
        await db.TrainingRuns.AsNoTracking().Include(r => r.Points.OrderBy(p => p.Step)).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);

    /// <summary>The run folder (under the data folder's runs/).</summary>
    public string FolderOf(TrainingRun run) => Path.Combine(studio.Value.FullDataDirectory, run.Folder);

    /// <summary>The last lines of the run's log.</summary>
    public string LogTail(TrainingRun run, int lines = 200)
    {
        var file = Path.Combine(FolderOf(run), LogFile);
        if (!File.Exists(file)) return "";
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var all = new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.TakeLast(lines));
    }

    public async Task<TrainingRun> LaunchAsync(string adminId, TrainingRequest request, CancellationToken cancellationToken = default)
    {
        request.Validate();
        var folder = paths.Resolve(request.Dataset ?? "");
        var manifestFile = Path.Combine(folder, ImportManifest.FileName);
        if (!File.Exists(manifestFile)) throw new StudioValidationException($"'{request.Dataset!.Trim()}' is not an imported dataset (no {ImportManifest.FileName})");
        var manifest = ImportManifest.Load(manifestFile);
        var splits = manifest.Tracks.Select(t => t.Split).Distinct().ToList();
        foreach (var split in new[] { "train", "validation" })
            if (!splits.Contains(split))
                throw new StudioValidationException($"'{request.Dataset!.Trim()}' has no {split} split (it has {(splits.Count == 0 ? "no tracks" : string.Join(", ", splits))}): training needs train and validation");
        var codec = datasets.Codecs().FirstOrDefault(c => c.Name == request.Codec?.Trim())
            ?? throw new StudioValidationException($"unknown codec '{request.Codec}': choose one of {string.Join(", ", datasets.Codecs().Select(c => c.Name))}");
        var (identity, codecIdentity) = await Task.Run(() =>
        {
            using var model = EncodecModel.Load(codec.Path);
            var tokenizer = new CodecTokenizer(model);
            return (tokenizer.Identity, tokenizer.CodecIdentity);
        }, cancellationToken);
        var cacheRoot = Path.Combine(folder, "tokens");
        if (!Directory.Exists(Path.Combine(cacheRoot, TokenCache.FolderFor(identity))))
        {
            var built = Directory.Exists(cacheRoot)
                ? Directory.EnumerateFiles(cacheRoot, "identity.txt", SearchOption.AllDirectories).Select(f => File.ReadAllText(f).Trim()).ToList() : [];
            throw new StudioValidationException($"the token cache of '{request.Dataset!.Trim()}' was not built with {codec.Name} ({identity}): " +
                (built.Count == 0 ? "it has no token cache; build one on the datasets page" : $"it has {string.Join(", ", built)}; build one with this codec or choose that codec"));
        }

        var preset = request.Preset!.Trim().ToLowerInvariant();
        var run = new TrainingRun
        {
            Dataset = Path.GetRelativePath(paths.Root, folder), Codec = codec.Name, CodecIdentity = codecIdentity, Preset = preset,
            Steps = request.Steps, Batch = request.Batch, SeqFrames = request.SeqFrames,
            LearningRate = request.LearningRate ?? StemGen.Model.Training.TrainingConfig.Preset(preset).PeakLearningRate,
            ContextDropout = request.ContextDropout ?? StemGen.Model.Transformer.StemGenConfig.Preset(preset).ContextDropout,
            Seed = request.Seed, EncodeSeconds = request.EncodeSeconds, Device = request.Device!.Trim().ToLowerInvariant(),
            Folder = "", State = TaskState.Queued, Phase = "queued", CreatedById = adminId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.TrainingRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        run.Folder = Path.Combine("runs", $"run-{run.Id:00000}");
        await EnqueueAsync(run, cancellationToken);
        return run;
    }

    /// <summary>Training runs on the studio's own job server (it reads the datasets and writes the run folder), on the CPU or its GPU.</summary>
    private async Task EnqueueAsync(TrainingRun run, CancellationToken cancellationToken)
    {
        run.HangfireJobId = queue.Enqueue<TrainingRunJob>(run.Id);
        await db.SaveChangesAsync(cancellationToken);
        Publish(run);
    }

    /// <summary>Pause: a running run checkpoints and stops; a queued one just does not start.</summary>
    public Task PauseAsync(int id, CancellationToken cancellationToken = default) => StopAsync(id, TrainingStopRequest.Pause, cancellationToken);

    public Task CancelAsync(int id, CancellationToken cancellationToken = default) => StopAsync(id, TrainingStopRequest.Cancel, cancellationToken);

    private async Task StopAsync(int id, TrainingStopRequest request, CancellationToken cancellationToken)
    {
        var run = await db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new KeyNotFoundException();
        var stoppable = request == TrainingStopRequest.Pause
            ? run.State is TaskState.Queued or TaskState.Running
            : run.State is TaskState.Queued or TaskState.Running or TaskState.Paused;
        if (!stoppable) throw new StudioValidationException($"run {id} is {run.State.ToString().ToLowerInvariant()}: it cannot be {(request == TrainingStopRequest.Pause ? "paused" : "cancelled")}");
        if (run.State == TaskState.Running)
        {
            run.StopRequest = request;
            run.Phase = request == TrainingStopRequest.Pause ? "pausing at a checkpoint" : "cancelling";
            await db.SaveChangesAsync(cancellationToken);
            events.Stop(TaskKind.Training, id);
        }
        else
        {
            if (run.State == TaskState.Queued) queue.Delete(run.HangfireJobId);
            run.State = request == TrainingStopRequest.Pause ? TaskState.Paused : TaskState.Cancelled;
            run.Phase = request == TrainingStopRequest.Pause ? "paused" : "cancelled";
            if (run.State == TaskState.Cancelled) run.FinishedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
        }
        Publish(run);
    }

    /// <summary>Queues a paused (or failed) run again: it resumes from its checkpoint.</summary>
    public async Task ResumeAsync(int id, CancellationToken cancellationToken = default)
    {
        var run = await db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new KeyNotFoundException();
        if (run.State is not (TaskState.Paused or TaskState.Failed))
            throw new StudioValidationException($"run {id} is {run.State.ToString().ToLowerInvariant()}: only a paused or failed run can be resumed");
        (run.State, run.StopRequest, run.Phase, run.Error, run.FinishedAt) = (TaskState.Queued, TrainingStopRequest.None, "queued", null, null);
        await EnqueueAsync(run, cancellationToken);
    }

    /// <summary>Exports a stopped run's best model (its latest checkpoint when none) as model.safetensors now, as the last step does.</summary>
    public async Task ExportAsync(int id, CancellationToken cancellationToken = default)
    {
        var run = await db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new KeyNotFoundException();
        if (run.State is TaskState.Queued or TaskState.Running)
            throw new StudioValidationException($"run {id} is {run.State.ToString().ToLowerInvariant()}: pause it or let it finish before exporting");
        if (!StemGen.Model.Training.StemGenTrainer.HasCheckpoint(FolderOf(run))) throw new StudioValidationException($"run {id} has no checkpoint to export yet");
        await Task.Run(() => TrainingExport.Export(FolderOf(run)), cancellationToken);
        run.Exported = true;
        await db.SaveChangesAsync(cancellationToken);
        Publish(run);
    }

    /// <summary>Queues the listening check of a run that is not training and has a checkpoint (on the studio's own job server, as training).</summary>
    public async Task CheckListeningAsync(int id, CancellationToken cancellationToken = default)
    {
        var run = await db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new KeyNotFoundException();
        if (run.State is TaskState.Queued or TaskState.Running)
            throw new StudioValidationException($"run {id} is {run.State.ToString().ToLowerInvariant()}: pause it or let it finish before the listening check");
        if (run.ListeningCheck is TaskState.Queued or TaskState.Running)
            throw new StudioValidationException($"the listening check of run {id} is already {run.ListeningCheck.Value.ToString().ToLowerInvariant()}");
        if (!StemGen.Model.Training.StemGenTrainer.HasCheckpoint(FolderOf(run)))
            throw new StudioValidationException($"run {id} has no checkpoint yet: the listening check validates its best model");
        (run.ListeningCheck, run.ListeningCheckJson) = (TaskState.Queued, null);
        await db.SaveChangesAsync(cancellationToken);
        run.ListeningCheckJobId = queue.Enqueue<ListeningCheckJob>(run.Id);
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(new TaskEvent(TaskKind.ListeningCheck, id, TaskState.Queued, 0, null, null));
    }

    /// <summary>Tells the pages the run changed (no new points: they read it again).</summary>
    private void Publish(TrainingRun run) => events.Publish(TaskKind.Training, run.Id, run);
}
