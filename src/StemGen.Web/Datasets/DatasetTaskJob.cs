using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using StemGen.Data.Rendering;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model;
using StemGen.Model.Codec;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Datasets;

/// <summary>
/// A <see cref="DatasetTask"/> on the task kernel, with the same library calls as the CLI
/// (<see cref="SlakhImporter.Import"/>, <see cref="SynthDataset.Generate"/>, <see cref="TokenPairSet.Load"/>).
/// A server that stops mid-way leaves the task running and Hangfire runs it again: the importer, the renderer and
/// the token cache all keep what they wrote.
/// </summary>
public sealed class DatasetTaskJob(StudioDbContext db, DatasetPaths paths, DatasetService datasets, TaskEvents events, TaskQueue queue,
    TimeProvider clock, ILogger<DatasetTaskJob> logger) : RowTaskJob<DatasetTask, string>(db, events, queue, clock, logger)
{
    public override TaskKind Kind => TaskKind.Dataset;

    protected override async Task<TaskState?> StopRequestAsync(int id) =>
        await Db.DatasetTasks.AnyAsync(t => t.Id == id && t.CancelRequested, CancellationToken.None) ? TaskState.Cancelled : null;

    protected override Task<string> WorkAsync(DatasetTask task, TaskProgress progress, CancellationToken stop) => Task.FromResult(task.Kind switch
    {
        DatasetTaskKind.Import => Import(JsonSerializer.Deserialize<ImportRequest>(task.Request)!, progress, stop),
        DatasetTaskKind.Synthesize => Synthesize(JsonSerializer.Deserialize<SynthRequest>(task.Request)!, progress, stop),
        DatasetTaskKind.TokenCache => BuildTokens(JsonSerializer.Deserialize<TokenCacheRequest>(task.Request)!, progress, stop),
        _ => throw new StudioValidationException($"unknown task kind {task.Kind}"),
    });

    protected override void Succeeded(DatasetTask task, string result) => task.Result = result;

    protected override void Ended(DatasetTask task, TaskState state) => task.Phase += RemovePartialOutput(task);

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

    private static int Jobs => Math.Max(1, Environment.ProcessorCount / 2);

    private string Import(ImportRequest request, TaskProgress latest, CancellationToken cancellationToken)
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

    private string Synthesize(SynthRequest request, TaskProgress latest, CancellationToken cancellationToken)
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

    private string BuildTokens(TokenCacheRequest request, TaskProgress latest, CancellationToken cancellationToken)
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
}
