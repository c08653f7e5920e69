using System.Globalization;
using System.Text;

namespace StemGen.Data.Rendering;

/// <summary>Ranges a random song is drawn from.</summary>
public sealed record SongPlanOptions
{
    /// <summary>Song length is drawn uniformly from this range (whole sections, so the result is close, not exact).</summary>
    public double MinSeconds { get; init; } = 100;
    public double MaxSeconds { get; init; } = 200;
    public int MinTempo { get; init; } = 72;
    public int MaxTempo { get; init; } = 152;
    /// <summary>Probability that a song is in a minor key.</summary>
    public double MinorProbability { get; init; } = 0.4;
    /// <summary>Probability that a song colours its triads as diatonic seventh chords.</summary>
    public double SeventhsProbability { get; init; } = 0.3;
}

/// <summary>
/// Everything about one generated song before any tool runs: key, tempo, groove, chord chart
/// (with its A/B section form) and melody instrument. Drawn from (seed, index) alone, so the same
/// seed always gives the same song; <see cref="ToMma"/> writes the chart mma renders.
/// </summary>
public sealed record SongPlan : ISynthSong
{
    public required long Seed { get; init; }
    public required int Index { get; init; }
    public required Key Key { get; init; }
    public required int Tempo { get; init; }
    public required MmaGroove Groove { get; init; }
    public int BeatsPerBar => Groove.BeatsPerBar;
    /// <summary>Chords of each bar (one, or two splitting a 4/4 bar in half).</summary>
    public required IReadOnlyList<IReadOnlyList<Chord>> Bars { get; init; }
    /// <summary>The sections in order ("A", "B", "End"): the melody repeats with its section.</summary>
    public required IReadOnlyList<SongSection> Sections { get; init; }
    /// <summary>The song form, e.g. "AABA".</summary>
    public required string Form { get; init; }
    public required int MelodyProgram { get; init; }
    public bool Sevenths { get; init; }

    public double Seconds => Bars.Count * BeatsPerBar * 60.0 / Tempo;

    /// <summary>Renders the chart with mma and adds the melody (<see cref="SongGenerator"/>).</summary>
    public GeneratedSong Generate(IReadOnlyList<string> soundFonts, CancellationToken cancellationToken = default) =>
        SongGenerator.Generate(this, soundFonts, cancellationToken);
    public string TimeSignature => $"{BeatsPerBar}/4";

    /// <summary>One entry per bar: "Am" or "F G" (two chords).</summary>
    public IReadOnlyList<string> ChordSymbols => Bars.Select(b => string.Join(' ', b.Select(c => c.Symbol(Key)))).ToList();

    /// <summary>The seed of the song's own random stream, used for mma's RndSeed.</summary>
    internal int MmaSeed => (int)(SeededRandom.Derive(Seed, Index, 7).NextUInt64() % 1_000_000_000);

    /// <summary>Melody instruments: one or more per family that carries tunes, so categories stay varied.</summary>
    internal static readonly int[] MelodyPrograms =
    [
        0, 4, 11, 12, 13, 16, 21, 22, 24, 25, 26, 27, 29, 40, 41, 42, 52, 53, 56, 57, 60,
        64, 65, 66, 68, 71, 73, 74, 75, 79, 80, 81, 82, 85, 104, 105, 108, 110, 114,
    ];

    /// <summary>Draws song <paramref name="index"/> of <paramref name="seed"/>; a later <paramref name="attempt"/> draws another song for the same slot.</summary>
    public static SongPlan Create(long seed, int index, IReadOnlyList<MmaGroove> grooves, SongPlanOptions? options = null, int attempt = 0)
    {
        ArgumentNullException.ThrowIfNull(grooves);
        if (grooves.Count == 0) throw new ArgumentException("no grooves to choose from", nameof(grooves));
        options ??= new SongPlanOptions();
        var rng = attempt == 0 ? SeededRandom.Derive(seed, index) : SeededRandom.Derive(seed, index, 1000 + attempt);
        // Pick a style first, then a groove of it: a library file with 40 variants should not outweigh one with 4.
        var styles = grooves.GroupBy(g => g.Style).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var groove = rng.Pick(rng.Pick(styles).ToList());
        var key = new Key(rng.Next(12), rng.Chance(options.MinorProbability) ? Mode.Minor : Mode.Major);
        var tempo = rng.Next(options.MinTempo, options.MaxTempo + 1);
        var sevenths = rng.Chance(options.SeventhsProbability);

        // Two sections with different progressions, each filled to 8 bars (12 for a blues).
        var pool = ChordProgressions.For(key.Mode);
        var a = rng.Next(pool.Count);
        var b = (a + 1 + rng.Next(pool.Count - 1)) % pool.Count;
        var sections = new Dictionary<string, List<IReadOnlyList<Chord>>>
        {
            ["A"] = Section(pool[a], key, groove.BeatsPerBar, sevenths),
            ["B"] = Section(pool[b], key, groove.BeatsPerBar, sevenths),
        };
        var form = rng.Pick(["AABA", "ABAB", "AABB", "ABAA", "AAB"]);

        var target = rng.NextDouble(options.MinSeconds, options.MaxSeconds);
        var bars = new List<IReadOnlyList<Chord>>();
        var order = new List<SongSection>();
        var secondsPerBar = groove.BeatsPerBar * 60.0 / tempo;
        // Whole sections while the next one ends nearer the target length than stopping would.
        for (var i = 0; order.Count == 0 || (bars.Count + sections[form[i % form.Length].ToString()].Count / 2.0) * secondsPerBar <= target; i++)
        {
            var label = form[i % form.Length].ToString();
            order.Add(new SongSection(label, bars.Count, sections[label].Count));
            bars.AddRange(sections[label]);
        }
        // End on the tonic.
        var tonic = new Chord(key.Tonic, key.Mode == Mode.Major ? ChordQuality.Major : ChordQuality.Minor);
        order.Add(new SongSection(SongSection.EndLabel, bars.Count, 1));
        bars.Add([sevenths ? ChordProgressions.WithSeventh(tonic, key) : tonic]);

        return new SongPlan
        {
            Seed = seed,
            Index = index,
            Key = key,
            Tempo = tempo,
            Groove = groove,
            Bars = bars,
            Sections = order,
            Form = form,
            MelodyProgram = rng.Pick(MelodyPrograms),
            Sevenths = sevenths,
        };
    }

    private static List<IReadOnlyList<Chord>> Section(string progression, Key key, int beatsPerBar, bool sevenths)
    {
        var bars = ChordProgressions.Realize(progression, key)
            .Select(bar => (IReadOnlyList<Chord>)(beatsPerBar == 4 ? bar : bar.Take(1)).Select(c => sevenths ? ChordProgressions.WithSeventh(c, key) : c).ToList())
            .ToList();
        var length = bars.Count >= 8 ? bars.Count : 8;
        var result = new List<IReadOnlyList<Chord>>();
        while (result.Count < length) result.AddRange(bars.Take(length - result.Count));
        return result;
    }

    /// <summary>The chart for mma: tempo, groove, key signature, a seeded RndSeed, one numbered line per bar.</summary>
    public string ToMma()
    {
        var sb = new StringBuilder();
        sb.Append("// StemGen synth-dataset: seed ").Append(Seed.ToString(CultureInfo.InvariantCulture)).Append(", song ").Append(Index).Append('\n');
        sb.Append("RndSeed ").Append(MmaSeed.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("Tempo ").Append(Tempo.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("Groove ").Append(Groove.Name).Append('\n');
        sb.Append("KeySig ").Append(Key.MmaKeySig).Append('\n');
        for (var i = 0; i < Bars.Count; i++)
        {
            var chords = Bars[i];
            sb.Append(i + 1).Append(' ');
            // Two chords in 4/4: beats 1 and 3 ("C / G /").
            sb.Append(chords.Count == 1 ? chords[0].Symbol(Key) : $"{chords[0].Symbol(Key)} / {chords[1].Symbol(Key)} /").Append('\n');
        }
        return sb.ToString();
    }
}

/// <summary>A section of the form: its label ("A", "B", or "End" for the closing bar), first bar and length in bars.</summary>
public sealed record SongSection(string Label, int StartBar, int Bars)
{
    public const string EndLabel = "End";
}
