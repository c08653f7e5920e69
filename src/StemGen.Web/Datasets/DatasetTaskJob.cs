using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using StemGen.Data.Rendering;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model.Codec;
using StemGen.Web.Data;
using StemGen.Web.Listening;

namespace StemGen.Web.Datasets;

/// <summary>
/// Runs a <see cref="DatasetTask"/> as a Hangfire job with the same library calls as the CLI
/// (<see cref="SlakhImporter.Import"/>, <see cref="SynthDataset.Generate"/>, <see cref="TokenPairSet.Load"/>), on a
/// worker thread; this method pushes the latest progress to open pages twice a second, writes it to the
/// row once a second and reads the row's cancel flag there. A server that stops mid-way leaves the task
/// Running and Hangfire runs it again: the importer, the renderer and the token cache all keep what they wrote.
/// </summary>
public sealed class DatasetTaskJob(StudioDbContext db, ImportedDatasetSource paths, DatasetService datasets, DatasetEvents events,
    TimeProvider clock, ILogger<DatasetTaskJob> logger)
{
    private sealed class Latest
    {
        public volatile string Phase = "starting";
        private double percent;
        public double Percent { get => Volatile.Read(ref percent); set => Volatile.Write(ref percent, value); }
    }

    [DisplayName("Dataset task {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(int taskId, CancellationToken cancellationToken)
    {
        var task = await db.DatasetTasks.FirstOrDefaultAsync(t => t.Id == taskId, cancellationToken);
        if (task is null || task.State is not (DatasetTaskState.Queued or DatasetTaskState.Running)) return;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        events.Register(taskId, cancel);
        try
        {
            if (task.CancelRequested) throw new OperationCanceledException();
            task.State = DatasetTaskState.Running;
            task.Phase = "starting";
            task.Error = null;
            await db.SaveChangesAsync(cancellationToken);
            Publish(task);

            var latest = new Latest();
            var work = Task.Run(() => Work(task, latest, cancel.Token), cancel.Token);
            var lastSaved = clock.GetUtcNow();
            while (await Task.WhenAny(work, Task.Delay(500, CancellationToken.None)) != work)
            {
                task.ProgressPercent = Math.Round(latest.Percent, 1);
                task.Phase = latest.Phase;
                Publish(task);
                if (clock.GetUtcNow() - lastSaved < TimeSpan.FromSeconds(1)) continue;
                lastSaved = clock.GetUtcNow();
                await db.DatasetTasks.Where(t => t.Id == taskId)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.ProgressPercent, task.ProgressPercent).SetProperty(t => t.Phase, task.Phase), CancellationToken.None);
                if (await db.DatasetTasks.AsNoTracking().AnyAsync(t => t.Id == taskId && t.CancelRequested, CancellationToken.None)) cancel.Cancel();
            }
            task.Result = await work;
            task.State = DatasetTaskState.Succeeded;
            task.ProgressPercent = 100;
            task.Phase = "done";
        }
        catch (OperationCanceledException)
        {
            if (cancellationToken.IsCancellationRequested && !await CancelRequestedAsync(taskId))
            {
                events.Unregister(taskId);
                throw; // the server stops: Hangfire runs it again, and it resumes from what is on disk
            }
            task.State = DatasetTaskState.Cancelled;
            task.Phase = "cancelled" + RemovePartialOutput(task);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "dataset task {TaskId} failed", taskId);
            task.State = DatasetTaskState.Failed;
            task.Phase = "failed" + RemovePartialOutput(task);
            task.Error = e is StudioValidationException or SlakhFormatException or DirectoryNotFoundException or InvalidDataException
                ? e.Message : $"{e.GetType().Name}: {e.Message}";
        }
        finally { events.Unregister(taskId); }
        task.FinishedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(CancellationToken.None);
        Publish(task);
    }

    /// <summary>
    /// An import or render that did not finish leaves a folder no one can use and whose name a new task would refuse:
    /// it was new or empty at launch (DatasetService checks), so it is removed. A token cache is kept: it resumes.
    /// </summary>
    private string RemovePartialOutput(DatasetTask task)
    {
        if (task.Kind is not (DatasetTaskKind.Import or DatasetTaskKind.Synthesize)) return "";
        try
        {
            var output = paths.ResolveOutput(task.Output);
            if (!Directory.Exists(output)) return "";
            Directory.Delete(output, recursive: true);
            return "; its partial output was removed";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StudioValidationException)
        {
            logger.LogWarning(e, "the partial output of dataset task {TaskId} could not be removed", task.Id);
            return $"; its partial output could not be removed ({e.Message})";
        }
    }

    private async Task<bool> CancelRequestedAsync(int taskId) =>
        await db.DatasetTasks.AsNoTracking().AnyAsync(t => t.Id == taskId && t.CancelRequested, CancellationToken.None);

    /// <summary>The task itself, on a worker thread: returns what came out, one line for the page.</summary>
    private string Work(DatasetTask task, Latest latest, CancellationToken cancellationToken) => task.Kind switch
    {
        DatasetTaskKind.Import => Import(JsonSerializer.Deserialize<ImportRequest>(task.Request)!, latest, cancellationToken),
        DatasetTaskKind.Synthesize => Synthesize(JsonSerializer.Deserialize<SynthRequest>(task.Request)!, latest, cancellationToken),
        DatasetTaskKind.TokenCache => BuildTokens(JsonSerializer.Deserialize<TokenCacheRequest>(task.Request)!, latest, cancellationToken),
        _ => throw new StudioValidationException($"unknown task kind {task.Kind}"),
    };

    private static int Jobs => Math.Max(1, Environment.ProcessorCount / 2);

    private string Import(ImportRequest request, Latest latest, CancellationToken cancellationToken)
    {
        // The paths are checked again: the folders may have changed since the request.
        var source = paths.Resolve(request.Source!);
        var output = paths.ResolveOutput(request.Output!);
        latest.Phase = "finding tracks";
        var manifest = SlakhImporter.Import(source, output, new ImportOptions { SampleRate = request.SampleRate, SegmentSeconds = request.SegmentSeconds, Jobs = Jobs },
            new InlineProgress<ImportProgress>(p =>
            {
                latest.Percent = 100.0 * p.TracksDone / Math.Max(1, p.TracksTotal);
                latest.Phase = string.Create(CultureInfo.InvariantCulture, $"{p.TracksDone} of {p.TracksTotal} tracks ({p.Track}), {p.Hours:0.00} h{(p.TracksSkipped > 0 ? $", {p.TracksSkipped} skipped" : "")}");
            }), cancellationToken);
        var s = manifest.Summary;
        if (s.Tracks == 0)
            throw new StudioValidationException($"no track could be imported ({s.TracksSkipped} skipped: {string.Join("; ", manifest.Skipped.Take(3))})");
        return string.Create(CultureInfo.InvariantCulture,
            $"{Plural.Of(s.Tracks, "track")}, {Plural.Of(s.Segments, "segment")}, {Plural.Of(s.Stems, "stem")}, {s.Hours:0.00} h at {manifest.SampleRate} Hz; skipped {Plural.Of(s.TracksSkipped, "track")}, {Plural.Of(s.StemsSkipped, "stem")}");
    }

    private string Synthesize(SynthRequest request, Latest latest, CancellationToken cancellationToken)
    {
        var output = paths.ResolveOutput(request.Output!);
        latest.Phase = "planning songs";
        var result = SynthDataset.Generate(new SynthDatasetOptions { Style = request.ParsedStyle(), Hours = request.Hours, Seed = request.Seed, Output = output, Jobs = Jobs },
            new InlineProgress<SynthProgress>(p =>
            {
                latest.Percent = 100.0 * p.SecondsDone / Math.Max(1, p.SecondsTotal);
                latest.Phase = string.Create(CultureInfo.InvariantCulture, $"{p.SongsDone} of {Plural.Of(p.SongsTotal, "song")}, {p.SecondsDone / 3600:0.00} of {p.SecondsTotal / 3600:0.00} h{(p.Failed > 0 ? $", {p.Failed} failed" : "")}");
            }), cancellationToken);
        if (result.Songs == 0)
            throw new StudioValidationException($"no song could be rendered: {string.Join("; ", result.Failures.Take(3))}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{Plural.Of(result.Songs, "song")}, {result.Hours:0.00} h ({string.Join(", ", result.Splits.Select(s => $"{s.Key} {s.Value}"))}){(result.Failures.Count > 0 ? $"; {result.Failures.Count} failed" : "")}");
    }

    private string BuildTokens(TokenCacheRequest request, Latest latest, CancellationToken cancellationToken)
    {
        var folder = paths.Resolve(request.Dataset!);
        var manifest = ImportManifest.Load(Path.Combine(folder, ImportManifest.FileName));
        var codecPath = datasets.Codecs().FirstOrDefault(c => c.Name == request.Codec)?.Path
            ?? throw new StudioValidationException($"the codec '{request.Codec}' is no longer available");
        latest.Phase = "loading the codec";
        using var codec = EncodecModel.Load(codecPath);
        codec.Eval();
        var tokenizer = new CodecTokenizer(codec);
        var cache = new TokenCache(paths.ResolveOutput(Path.Combine(request.Dataset!, "tokens")), tokenizer);
        // One-frame crops: every segment counts, whatever crop training uses later (as `stemgen tokens build`).
        var options = new TokenPairOptions { CropFrames = 1, SubmixesPerSegment = request.Submixes, SubmixSeed = request.Seed, EncodeSeconds = request.EncodeSeconds };
        var splits = request.Splits!;
        var lines = new List<string>();
        for (var i = 0; i < splits.Length; i++)
        {
            var index = i;
            var set = TokenPairSet.Load(manifest, splits[i], cache, tokenizer, options, 1,
                new InlineProgress<TokenCacheProgress>(p =>
                {
                    latest.Percent = 100.0 * (index + (double)p.SegmentsDone / Math.Max(1, p.SegmentsTotal)) / splits.Length;
                    latest.Phase = $"{splits[index]}: {p.SegmentsDone} of {p.SegmentsTotal} segments, {p.Encoded} encoded, {p.Hits} from cache";
                }), cancellationToken);
            var s = set.Summary;
            lines.Add($"{s.Split} {s.Segments} segments, {s.Stems} stems, {s.Submixes} submixes ({s.TokensEncoded} encoded, {s.TokensFromCache} from cache)");
        }
        return $"{tokenizer.CodecIdentity}: {string.Join("; ", lines)}";
    }

    private void Publish(DatasetTask task) =>
        events.Publish(new DatasetTaskEvent(task.Id, task.State, task.ProgressPercent, task.CancelRequested && task.State == DatasetTaskState.Running ? "cancelling" : task.Phase, task.Result, task.Error));
}
