using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Data.Slakh;
using StemGen.Jobs;
using StemGen.Model;
using StemGen.Web.Data;
using StemGen.Web.Jobs;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Datasets;

/// <summary>
/// The admin side of datasets: checks a request (paths confined to the datasets root by
/// <see cref="DatasetPaths"/>; nothing is stored when it is wrong), stores a <see cref="DatasetTask"/>
/// and queues <see cref="DatasetTaskJob"/> on the studio's CPU queue; cancels. Callers check the Admin role.
/// </summary>
public sealed class DatasetService(
    StudioDbContext db, DatasetPaths paths, TaskQueue queue, IOptions<GenerationOptions> generation, TaskEvents events, TimeProvider clock)
{
    public sealed record TaskRow(int Id, DatasetTaskKind Kind, string? Source, string Output, string Settings, TaskState State,
        double ProgressPercent, string? Phase, string? Result, string? Error, DateTime CreatedAt, DateTime? FinishedAt);

    public sealed record CodecChoice(string Name, string Path);

    public async Task<List<TaskRow>> ListAsync(CancellationToken cancellationToken = default) =>
        await db.DatasetTasks.AsNoTracking().OrderByDescending(t => t.Id).Take(50)
            .Select(t => new TaskRow(t.Id, t.Kind, t.Source, t.Output, t.Settings, t.State, t.ProgressPercent, t.Phase, t.Result, t.Error, t.CreatedAt, t.FinishedAt))
            .ToListAsync(cancellationToken);

    public async Task<TaskRow?> GetAsync(int id, CancellationToken cancellationToken = default) =>
        await db.DatasetTasks.AsNoTracking().Where(t => t.Id == id)
            .Select(t => new TaskRow(t.Id, t.Kind, t.Source, t.Output, t.Settings, t.State, t.ProgressPercent, t.Phase, t.Result, t.Error, t.CreatedAt, t.FinishedAt))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The codecs a token cache can be built with: the one the studio serves and the codec*.safetensors in the models folder.</summary>
    public IReadOnlyList<CodecChoice> Codecs()
    {
        var found = new List<CodecChoice>();
        try { var served = ShippedModels.CodecPath(generation.Value.CodecWeightsPath); found.Add(new CodecChoice(Path.GetFileName(served), served)); }
        catch (FileNotFoundException) { }
        if (ShippedModels.ModelsFolder() is { } folder && Directory.Exists(folder))
            foreach (var file in Directory.EnumerateFiles(folder, "codec*.safetensors").Order(StringComparer.Ordinal))
                if (found.All(c => Path.GetFullPath(c.Path) != Path.GetFullPath(file))) found.Add(new CodecChoice(Path.GetFileName(file), file));
        return found;
    }

    public async Task<DatasetTask> ImportAsync(string adminId, ImportRequest request, CancellationToken cancellationToken = default)
    {
        request.Validate();
        var source = paths.Resolve(request.Source ?? "");
        NoLinksOut(source, request.Source!);
        var tracks = SlakhImporter.Discover(source);
        if (!tracks.Any(t => File.Exists(Path.Combine(t.Directory, "metadata.yaml"))))
            throw new StudioValidationException($"'{request.Source!.Trim()}' is not a Slakh-format folder: no Track folder with a metadata.yaml and stems/ in it or in train/validation/test");
        var output = NewFolder(request.Output, source);
        return await CreateAsync(adminId, DatasetTaskKind.Import, Relative(source), Relative(output),
            string.Create(CultureInfo.InvariantCulture, $"{tracks.Count} track folders, {request.SampleRate} Hz, {ImportRequest.Format(request.SegmentSeconds)} s segments"),
            request with { Source = Relative(source), Output = Relative(output) }, cancellationToken);
    }

    public async Task<DatasetTask> SynthesizeAsync(string adminId, SynthRequest request, CancellationToken cancellationToken = default)
    {
        request.Validate();
        var output = NewFolder(request.Output, null);
        var style = request.ParsedStyle().ToString().ToLowerInvariant();
        return await CreateAsync(adminId, DatasetTaskKind.Synthesize, null, Relative(output),
            string.Create(CultureInfo.InvariantCulture, $"{ImportRequest.Format(request.Hours)} h, seed {request.Seed}, {style}"),
            request with { Output = Relative(output), Style = style }, cancellationToken);
    }

    public async Task<DatasetTask> BuildTokensAsync(string adminId, TokenCacheRequest request, CancellationToken cancellationToken = default)
    {
        request.Validate();
        var folder = paths.Resolve(request.Dataset ?? "");
        var manifestFile = Path.Combine(folder, ImportManifest.FileName);
        if (!File.Exists(manifestFile))
            throw new StudioValidationException($"'{request.Dataset!.Trim()}' is not an imported dataset (no {ImportManifest.FileName}): import it first");
        ImportManifest manifest;
        try { manifest = ImportManifest.Load(manifestFile); }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException) { throw new StudioValidationException($"the manifest of '{request.Dataset}' cannot be read: {e.Message}"); }
        var codec = Codecs().FirstOrDefault(c => c.Name == request.Codec?.Trim())
            ?? throw new StudioValidationException($"unknown codec '{request.Codec}': choose one of {string.Join(", ", Codecs().Select(c => c.Name))}");
        var have = manifest.Tracks.Select(t => t.Split).Distinct().ToList();
        var splits = (request.Splits is { Length: > 0 } s ? s : have.Where(x => x is "train" or "validation").ToArray())
            .Select(x => x.Trim()).Where(x => x.Length > 0).Distinct().ToArray();
        if (splits.Length == 0) throw new StudioValidationException($"choose the splits to encode (the import has {string.Join(", ", have)})");
        foreach (var split in splits)
            if (!have.Contains(split)) throw new StudioValidationException($"the import has no '{split}' split (it has {(have.Count == 0 ? "no tracks" : string.Join(", ", have))})");
        var dataset = Relative(folder);
        return await CreateAsync(adminId, DatasetTaskKind.TokenCache, dataset, Path.Combine(dataset, "tokens"),
            string.Create(CultureInfo.InvariantCulture, $"{codec.Name}, {string.Join("+", splits)}, {Plural.Of(request.Submixes, "submix", "submixes")}, seed {request.Seed}{(request.EncodeSeconds > 0 ? $", first {ImportRequest.Format(request.EncodeSeconds)} s" : "")}"),
            request with { Dataset = dataset, Codec = codec.Name, Splits = splits }, cancellationToken);
    }

    /// <summary>Stops a task: a queued one is cancelled at once; a running one at its next progress tick (it keeps what it wrote: a later run resumes).</summary>
    public async Task<bool> CancelAsync(int id, CancellationToken cancellationToken = default)
    {
        var task = await db.DatasetTasks.FirstOrDefaultAsync(t => t.Id == id, cancellationToken) ?? throw new KeyNotFoundException();
        if (!task.State.IsOpen()) return false;
        task.CancelRequested = true;
        if (task.State == TaskState.Queued)
        {
            (task.State, task.Phase, task.FinishedAt) = (TaskState.Cancelled, "cancelled", clock.GetUtcNow().UtcDateTime);
            queue.Delete(task.HangfireJobId);
        }
        else task.Phase = "cancelling";
        await db.SaveChangesAsync(cancellationToken);
        events.Stop(TaskKind.Dataset, id);
        events.Publish(TaskKind.Dataset, id, task);
        return true;
    }

    private async Task<DatasetTask> CreateAsync(string adminId, DatasetTaskKind kind, string? source, string output, string settings, object request, CancellationToken cancellationToken)
    {
        var busy = await db.DatasetTasks.AnyAsync(t => (t.State == TaskState.Queued || t.State == TaskState.Running) && t.Output == output, cancellationToken);
        if (busy) throw new StudioValidationException($"a task is already writing '{output}': wait for it or cancel it");
        var task = new DatasetTask
        {
            Kind = kind, Source = source, Output = output, Settings = settings, Request = JsonSerializer.Serialize(request),
            State = TaskState.Queued, Phase = "queued", CreatedById = adminId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.DatasetTasks.Add(task);
        await db.SaveChangesAsync(cancellationToken);
        // The studio's own server runs it: it reads and writes the datasets root, which GPU workers do not share.
        task.HangfireJobId = queue.Enqueue<DatasetTaskJob>(task.Id);
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(TaskKind.Dataset, task.Id, task);
        return task;
    }

    /// <summary>A folder to write under the root: confined, not inside the source (or the source inside it), and new (or empty).</summary>
    private string NewFolder(string? name, string? source)
    {
        var output = paths.ResolveOutput(name ?? "");
        if (source is not null && (Within(output, source) || Within(source, output)))
            throw new StudioValidationException($"the output '{name!.Trim()}' overlaps the source folder: choose a separate folder under the datasets root");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new StudioValidationException($"'{name!.Trim()}' already exists and is not empty: choose a new folder name");
        return output;
    }

    private static bool Within(string path, string folder) =>
        path == folder || path.StartsWith(folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Refuses a source tree with a link (file or folder) that leads out of the datasets root.</summary>
    private void NoLinksOut(string folder, string name)
    {
        var root = DatasetPaths.RealPath(paths.Root);
        var pending = new Stack<string>([folder]);
        while (pending.Count > 0)
        {
            foreach (var entry in new DirectoryInfo(pending.Pop()).EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                {
                    string real;
                    try { real = DatasetPaths.RealPath(entry.FullName); }
                    catch (IOException e) { throw new StudioValidationException($"'{name.Trim()}' holds a link that cannot be resolved ({Path.GetRelativePath(folder, entry.FullName)}): {e.Message}"); }
                    if (!Within(real, root))
                        throw new StudioValidationException($"'{name.Trim()}' holds a link out of the datasets root ({Path.GetRelativePath(folder, entry.FullName)}): datasets must live under {paths.Root}");
                }
                else if (entry is DirectoryInfo directory) pending.Push(directory.FullName);
            }
        }
    }

    private string Relative(string full) => Path.GetRelativePath(paths.Root, full);
}
