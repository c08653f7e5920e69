using System.Globalization;
using StemGen.Audio;
using StemGen.Data;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;
using StemGen.Web.Data;
using StemGen.Web.Datasets;

namespace StemGen.Web.Listening;

/// <summary>
/// Items from an imported dataset (the output of `stemgen import`: manifest.json and segment audio)
/// in a folder under the datasets root, through <see cref="DatasetPaths"/>; a manifest whose files point
/// outside the dataset is refused too.
/// </summary>
public sealed class ImportedDatasetSource(DatasetPaths paths) : IStudyItemSource
{
    public const string TestSplit = "test";

    /// <summary>Segment stems quieter than this (fraction of active frames) are not used as targets or contexts.</summary>
    private const double MinActiveFraction = 0.5;

    public IReadOnlyList<ExampleDraw> Draw(string dataset, int count, double clipSeconds, long seed)
    {
        var manifest = LoadManifest(dataset);
        var test = manifest.Split(TestSplit).ToList();
        if (test.Count == 0)
        {
            var splits = manifest.Tracks.Select(t => t.Split).Distinct().ToList();
            throw new StudioValidationException($"dataset '{dataset}' has no {TestSplit} split (it has {(splits.Count == 0 ? "no tracks" : string.Join(", ", splits))}): items come from unseen test songs");
        }
        var clipFrames = (int)Math.Round(clipSeconds * manifest.SampleRate);
        var candidates = new List<(ImportedTrack Track, ImportedSegment Segment, SegmentStem Stem)>();
        foreach (var track in test)
            foreach (var segment in track.Segments.Where(s => s.Frames >= clipFrames))
            {
                var active = segment.Stems.Where(s => s.ActiveFraction >= MinActiveFraction).ToList();
                if (active.Count < 2) continue; // a target needs a context
                candidates.AddRange(active.Select(s => (track, segment, s)));
            }
        if (candidates.Count < count)
            throw new StudioValidationException(candidates.Count == 0
                ? $"the {TestSplit} split of '{dataset}' has no segment of {clipSeconds:0.#} s or more with an active stem and a context"
                : $"the {TestSplit} split of '{dataset}' gives {candidates.Count} examples of {clipSeconds:0.#} s: ask for at most {candidates.Count} items per condition");

        // Shuffle with the seed, then take one example per song before a second from any song.
        var random = new SeededRandom(seed);
        for (var i = candidates.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        var picked = new List<(ImportedTrack Track, ImportedSegment Segment, SegmentStem Stem)>();
        var songs = new HashSet<string>();
        foreach (var c in candidates) if (picked.Count < count && songs.Add(c.Track.Name)) picked.Add(c);
        foreach (var c in candidates) if (picked.Count < count && !picked.Contains(c)) picked.Add(c);

        return picked.Select(c =>
        {
            var start = random.Next(c.Segment.Frames - clipFrames + 1);
            var category = c.Track.Stem(c.Stem.Id).Category;
            var at = (c.Segment.Start + (double)start / manifest.SampleRate).ToString("0.0", CultureInfo.InvariantCulture);
            return new ExampleDraw(c.Track.Name, string.Join('|', c.Track.Name, c.Segment.Index, c.Stem.Id, start, clipFrames), category,
                $"{c.Track.Name} segment {c.Segment.Index}, stem {c.Stem.Id} ({category.DisplayName()}) at {at} s");
        }).ToList();
    }

    public ExampleAudio Load(string dataset, ExampleDraw example)
    {
        var manifest = LoadManifest(dataset);
        var parts = example.Key.Split('|');
        if (parts.Length != 5) throw new StudioValidationException($"'{example.Key}' is not an example of an imported dataset");
        var track = manifest.Tracks.FirstOrDefault(t => t.Name == parts[0]) ?? throw new StudioValidationException($"'{dataset}' no longer has {parts[0]}");
        var segment = track.Segments.FirstOrDefault(s => s.Index == int.Parse(parts[1], CultureInfo.InvariantCulture))
            ?? throw new StudioValidationException($"{parts[0]} has no segment {parts[1]}");
        var (stemId, start, frames) = (parts[2], int.Parse(parts[3], CultureInfo.InvariantCulture), int.Parse(parts[4], CultureInfo.InvariantCulture));
        var real = DatasetPaths.RealPath(manifest.Root!);
        foreach (var file in segment.Stems) paths.Inside(real, DatasetPaths.RealPath(manifest.PathOf(file.File)), dataset);

        var audio = SegmentAudio.Load(manifest, track, segment);
        var context = segment.Stems.Where(s => s.Id != stemId && s.ActiveFraction >= MinActiveFraction).Select(s => s.Id).ToList();
        return new ExampleAudio(
            AudioBuffer.FromChannels(manifest.SampleRate, audio.Stem(stemId).Samples.AsSpan(start, frames).ToArray()),
            AudioBuffer.FromChannels(manifest.SampleRate, audio.Mix(context, start, frames)));
    }

    /// <summary>The dataset's manifest, after checking that the folder lies inside the root (links resolved).</summary>
    private ImportManifest LoadManifest(string dataset)
    {
        var folder = paths.Resolve(dataset);
        var file = Path.Combine(folder, ImportManifest.FileName);
        if (!File.Exists(file))
            throw new StudioValidationException($"no imported dataset at '{dataset}': there is no {ImportManifest.FileName} (run `stemgen import` into a folder under {paths.Root})");
        paths.Inside(DatasetPaths.RealPath(paths.Root), DatasetPaths.RealPath(file), dataset);
        try { return ImportManifest.Load(file); }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            throw new StudioValidationException($"the manifest of '{dataset}' cannot be read: {e.Message}");
        }
    }
}
