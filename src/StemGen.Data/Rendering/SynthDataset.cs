using System.Diagnostics;
using System.Text.Json;
using StemGen.Data.Slakh;

namespace StemGen.Data.Rendering;

/// <summary>What a synthetic dataset's songs are.</summary>
public enum SynthStyle
{
    /// <summary>mma grooves over chord progressions plus a melody (<see cref="SongPlan"/>).</summary>
    Songs,
    /// <summary>Random chords on random onsets that every part shares (<see cref="ListeningSongPlan"/>): listening is the only way to predict a stem.</summary>
    Listening,
    /// <summary>Each song drawn from one of the two above, half and half by the seed.</summary>
    Mixed,
}

/// <summary>What to generate.</summary>
public sealed record SynthDatasetOptions
{
    public SynthStyle Style { get; init; } = SynthStyle.Songs;
    /// <summary>Hours of songs to plan (song lengths are drawn, so the total is reached within a song).</summary>
    public required double Hours { get; init; }
    public required long Seed { get; init; }
    public required string Output { get; init; }
    /// <summary>Songs rendered at once (each runs mma once and fluidsynth once per part).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;
    /// <summary>General MIDI SoundFonts; each stem draws one (with <see cref="Variety"/>: each song draws one). Default: TimGM6mb only (reproducible on any machine with the package).</summary>
    public IReadOnlyList<string>? SoundFonts { get; init; }
    /// <summary>Per-song SoundFonts and per-stem mixing drawn at random, and a wider tempo range; null renders every stem plainly, as Slakh does.</summary>
    public RenderVariety? Variety { get; init; }
    public SongPlanOptions Songs { get; init; } = new();
    public ListeningSongOptions Listening { get; init; } = new();
    public TrackRenderOptions Render { get; init; } = new();
    public string MmaLibrary { get; init; } = Mma.DefaultLibrary;
    /// <summary>Per block of ten songs (shuffled by the seed): this many go to validation and to test, the rest to train.</summary>
    public int ValidationPerTen { get; init; } = 1;
    public int TestPerTen { get; init; } = 1;
    /// <summary>Every song goes to this split ("test" for a held-out set) instead of the per-ten shuffle.</summary>
    public string? OnlySplit { get; init; }
}

/// <summary>Progress after each song.</summary>
public sealed record SynthProgress(int SongsDone, int SongsTotal, double SecondsDone, double SecondsTotal, string Track, int Failed);

/// <summary>What was generated (also written to OUT/synth.json).</summary>
public sealed record SynthDatasetResult
{
    public long Seed { get; init; }
    public SynthStyle Style { get; init; }
    /// <summary>Whether songs drew SoundFonts and mixing (<see cref="SynthDatasetOptions.Variety"/>).</summary>
    public bool Varied { get; init; }
    public int Songs { get; init; }
    public double Hours { get; init; }
    public IReadOnlyDictionary<string, int> Splits { get; init; } = new Dictionary<string, int>();
    /// <summary>Rendered stems per category (all 18, index order).</summary>
    public IReadOnlyDictionary<InstrumentCategory, int> Categories { get; init; } = new Dictionary<InstrumentCategory, int>();
    public IReadOnlyDictionary<string, int> Grooves { get; init; } = new Dictionary<string, int>();
    /// <summary>Rendered stems per SoundFont file.</summary>
    public IReadOnlyDictionary<string, int> SoundFonts { get; init; } = new Dictionary<string, int>();
    public IReadOnlyList<string> Failures { get; init; } = [];
    public int Reused { get; init; }
    public double ElapsedSeconds { get; init; }
}

/// <summary>
/// <c>stemgen synth-dataset</c>: a Slakh-format folder (train/validation/test/TrackNNNNN) of songs
/// generated from chord progressions in mma grooves plus a melody, rendered per instrument with
/// FluidSynth. Song i depends only on (seed, i), so the dataset is the same whatever the number of
/// jobs, and an interrupted run continues where it stopped (finished tracks are kept).
/// Import it like Slakh with <see cref="SlakhImporter"/>.
/// </summary>
public static class SynthDataset
{
    public const string SummaryFile = "synth.json";
    private const int Attempts = 3;

    /// <summary>Song plans until the hours are reached, with their split.</summary>
    public static IReadOnlyList<(ISynthSong Plan, string Split)> Plan(SynthDatasetOptions options, Func<int, int, ISynthSong> draw)
    {
        if (!(options.Hours > 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Hours, "hours must be positive");
        var plans = new List<(ISynthSong, string)>();
        var seconds = 0.0;
        for (var i = 0; seconds < options.Hours * 3600; i++)
        {
            var plan = draw(i, 0);
            plans.Add((plan, SplitOf(options, i)));
            seconds += plan.Seconds;
        }
        return plans;
    }

    /// <summary>Split of song i: each block of ten songs has a seeded shuffle of 8 train, 1 validation, 1 test (by default).</summary>
    public static string SplitOf(SynthDatasetOptions options, int index)
    {
        if (options.OnlySplit is { } only) return only;
        var labels = Enumerable.Repeat("validation", options.ValidationPerTen)
            .Concat(Enumerable.Repeat("test", options.TestPerTen))
            .Concat(Enumerable.Repeat("train", 10 - options.ValidationPerTen - options.TestPerTen))
            .ToArray();
        SeededRandom.Derive(options.Seed, index / 10, 17).Shuffle(labels);
        return labels[index % 10];
    }

    /// <summary>Draws song (index, attempt) of the options' style: attempt 0 is the song, later ones replace a song that failed to render.</summary>
    public static Func<int, int, ISynthSong> Drawer(SynthDatasetOptions options)
    {
        var (songOptions, listeningOptions) = options.Variety is { } v
            ? (options.Songs with { MinTempo = v.MinTempo, MaxTempo = v.MaxTempo }, options.Listening with { MinTempo = v.MinTempo, MaxTempo = v.MaxTempo })
            : (options.Songs, options.Listening);
        ISynthSong Listening(int index, int attempt) => ListeningSongPlan.Create(options.Seed, index, listeningOptions, attempt);
        if (options.Style == SynthStyle.Listening) return Listening;
        var grooves = Mma.Grooves(options.MmaLibrary);
        ISynthSong Song(int index, int attempt) => SongPlan.Create(options.Seed, index, grooves, songOptions, attempt);
        if (options.Style == SynthStyle.Songs) return Song;
        return (index, attempt) => SeededRandom.Derive(options.Seed, index, 33).Chance(0.5) ? Listening(index, attempt) : Song(index, attempt);
    }

    public static string TrackId(int index) => $"Track{index + 1:00000}";

    public static SynthDatasetResult Generate(SynthDatasetOptions options, IProgress<SynthProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Jobs, 1);
        if (options.ValidationPerTen < 0 || options.TestPerTen < 0 || options.ValidationPerTen + options.TestPerTen > 10)
            throw new ArgumentOutOfRangeException(nameof(options), "validation and test songs per ten must fit in ten");
        if (options.OnlySplit is not (null or "train" or "validation" or "test"))
            throw new ArgumentOutOfRangeException(nameof(options), options.OnlySplit, "the split must be train, validation or test");
        var clock = Stopwatch.StartNew();
        var soundFonts = (options.SoundFonts is { Count: > 0 } given ? given : [Rendering.SoundFonts.TimGM6mb]).Select(Rendering.SoundFonts.Resolve).ToList();
        var draw = Drawer(options);
        Directory.CreateDirectory(options.Output);
        CheckSameDataset(options);
        var plans = Plan(options, draw);
        var total = plans.Sum(p => p.Plan.Seconds);

        var results = new (SlakhMetadata? Metadata, string Split, bool Reused, string? Failure)[plans.Count];
        int done = 0, failed = 0;
        long doneMilliseconds = 0;
        Parallel.For(0, plans.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs, CancellationToken = cancellationToken }, i =>
        {
            var (plan, split) = plans[i];
            var directory = Path.Combine(options.Output, split, TrackId(i));
            results[i] = RenderOne(options, draw, soundFonts, plan, split, directory, cancellationToken);
            if (results[i].Failure is not null) Interlocked.Increment(ref failed);
            Interlocked.Add(ref doneMilliseconds, (long)(plan.Seconds * 1000));
            var n = Interlocked.Increment(ref done);
            progress?.Report(new SynthProgress(n, plans.Count, Interlocked.Read(ref doneMilliseconds) / 1000.0, total, $"{split}/{TrackId(i)}", Volatile.Read(ref failed)));
        });

        var rendered = results.Where(r => r.Metadata is not null).ToList();
        var result = new SynthDatasetResult
        {
            Seed = options.Seed,
            Style = options.Style,
            Varied = options.Variety is not null,
            Songs = rendered.Count,
            Hours = rendered.Sum(r => r.Metadata!.Duration ?? 0) / 3600,
            Splits = rendered.GroupBy(r => r.Split).OrderBy(g => ImportSummary.SplitOrder(g.Key)).ToDictionary(g => g.Key, g => g.Count()),
            Categories = InstrumentCategories.All.ToDictionary(c => c,
                c => rendered.Sum(r => r.Metadata!.Stems.Count(s => s.AudioRendered && s.Category == c))),
            Grooves = rendered.GroupBy(r => r.Metadata!.Groove ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            SoundFonts = rendered.SelectMany(r => r.Metadata!.Stems).Where(s => s.AudioRendered)
                .GroupBy(s => s.PluginName ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Failures = results.Select((r, i) => r.Failure is null ? null : $"{r.Split}/{TrackId(i)}: {r.Failure}").OfType<string>().ToList(),
            Reused = results.Count(r => r.Reused),
            ElapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        AtomicWrite.Text(Path.Combine(options.Output, SummaryFile), JsonSerializer.Serialize(result, ImportManifest.Json));
        return result;
    }

    /// <summary>One song: reuse a finished track, else render it; a failing plan is redrawn (up to three tries).</summary>
    private static (SlakhMetadata?, string, bool, string?) RenderOne(SynthDatasetOptions options, Func<int, int, ISynthSong> draw,
        IReadOnlyList<string> soundFonts, ISynthSong plan, string split, string directory, CancellationToken cancellationToken)
    {
        var metadataPath = Path.Combine(directory, "metadata.yaml");
        if (File.Exists(metadataPath))
        {
            try
            {
                var existing = SlakhMetadata.Load(metadataPath);
                if (existing.Seed == options.Seed) return (existing, split, true, null);
            }
            catch (SlakhFormatException)
            {
                // Render it again below.
            }
        }
        string? failure = null;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var current = attempt == 0 ? plan : draw(plan.Index, attempt);
            var name = current is SongPlan songPlan ? songPlan.Groove.Name : "listening song";
            try
            {
                var fonts = options.Variety?.DrawFonts(options.Seed, plan.Index, soundFonts);
                var song = current.Generate(fonts is null ? soundFonts : [fonts.Pitched], cancellationToken);
                if (song.Parts.Count < 2) throw new InvalidOperationException($"{name} gave {song.Parts.Count} part(s)");
                var parts = fonts is null ? song.Parts : options.Variety!.Dress(options.Seed, plan.Index, song.Parts, fonts);
                return (SlakhTrackWriter.Write(directory, song.Midi, parts, song.Metadata, options.Render, song.Files, cancellationToken), split, false, null);
            }
            catch (Exception e) when (e is ExternalToolException or InvalidOperationException or StemGen.Audio.Midi.MidiFormatException or StemGen.Audio.AudioFormatException or IOException)
            {
                failure = $"{name}: {e.Message}";
            }
        }
        return (null, split, false, failure);
    }

    /// <summary>Refuses to mix two datasets in one folder.</summary>
    private static void CheckSameDataset(SynthDatasetOptions options)
    {
        var summary = Path.Combine(options.Output, SummaryFile);
        if (!File.Exists(summary)) return;
        var previous = JsonSerializer.Deserialize<SynthDatasetResult>(File.ReadAllText(summary), ImportManifest.Json);
        if (previous is not null && (previous.Seed != options.Seed || previous.Style != options.Style || previous.Varied != options.Variety is not null))
            throw new InvalidOperationException($"{options.Output} holds a dataset made with seed {previous.Seed} in style {previous.Style}{(previous.Varied ? ", varied" : "")}, not seed {options.Seed} in style {options.Style}{(options.Variety is not null ? ", varied" : "")}: use another folder");
    }
}
