using StemGen.Audio.Midi;
using StemGen.Data.Slakh;

namespace StemGen.Data.Rendering;

/// <summary>Ranges a listening song is drawn from.</summary>
public sealed record ListeningSongOptions
{
    public double MinSeconds { get; init; } = 60;
    public double MaxSeconds { get; init; } = 120;
    public int MinTempo { get; init; } = 80;
    public int MaxTempo { get; init; } = 150;
    /// <summary>Onsets per bar, drawn per bar from the eight eighth-note positions.</summary>
    public int MinOnsetsPerBar { get; init; } = 2;
    public int MaxOnsetsPerBar { get; init; } = 6;
}

/// <summary>
/// A song in which every part is predictable from the others and from nothing else: per song a
/// random key and tempo; per bar a random chord of the key and a random set of eighth-note onsets
/// (no repeating pattern, no progression); every part plays on exactly those onsets. The chords
/// part strikes the triad, the bass its root, the lead one chord tone, the drums kick and hat.
/// A model without the context can only guess key and timing; one that listens can hear both.
/// </summary>
public sealed record ListeningSongPlan : ISynthSong
{
    public const int TicksPerQuarter = 480;
    private const int EighthTicks = TicksPerQuarter / 2;
    private const int BarTicks = 4 * TicksPerQuarter;
    private const int DrumChannel = 9;

    public required long Seed { get; init; }
    public required int Index { get; init; }
    public required Key Key { get; init; }
    public required int Tempo { get; init; }
    /// <summary>The chord of each bar.</summary>
    public required IReadOnlyList<Chord> Bars { get; init; }
    /// <summary>The onsets of each bar, in eighth notes from its downbeat (0-7, ascending).</summary>
    public required IReadOnlyList<IReadOnlyList<int>> Onsets { get; init; }
    public required int ChordsProgram { get; init; }
    public required int BassProgram { get; init; }
    public required int LeadProgram { get; init; }

    public double Seconds => Bars.Count * 4 * 60.0 / Tempo;

    /// <summary>Instruments with a clear attack, so onsets are audible in every part.</summary>
    internal static readonly int[] ChordsPrograms = [0, 1, 2, 4, 5, 6, 7, 11, 16, 24, 25, 26, 27, 46, 48];
    internal static readonly int[] BassPrograms = [32, 33, 34, 35, 36, 37, 38, 39];
    internal static readonly int[] LeadPrograms = [8, 9, 12, 13, 56, 60, 61, 65, 71, 73, 80, 81, 82, 104, 105];

    /// <summary>Song <paramref name="index"/> of <paramref name="seed"/>; another <paramref name="attempt"/> draws another song.</summary>
    public static ListeningSongPlan Create(long seed, int index, ListeningSongOptions? options = null, int attempt = 0)
    {
        options ??= new ListeningSongOptions();
        if (options.MinOnsetsPerBar < 1 || options.MaxOnsetsPerBar > 8 || options.MinOnsetsPerBar > options.MaxOnsetsPerBar)
            throw new ArgumentOutOfRangeException(nameof(options), "onsets per bar must lie in 1..8");
        var rng = attempt == 0 ? SeededRandom.Derive(seed, index, 31) : SeededRandom.Derive(seed, index, 3100 + attempt);
        var key = new Key(rng.Next(12), rng.Chance(0.5) ? Mode.Minor : Mode.Major);
        var tempo = rng.Next(options.MinTempo, options.MaxTempo + 1);
        var seconds = rng.NextDouble(options.MinSeconds, options.MaxSeconds);
        var barCount = Math.Max(2, (int)Math.Round(seconds * tempo / 240.0));
        var chords = DiatonicTriads(key);
        var bars = new List<Chord>();
        var onsets = new List<IReadOnlyList<int>>();
        for (var b = 0; b < barCount; b++)
        {
            bars.Add(rng.Pick(chords));
            var count = rng.Next(options.MinOnsetsPerBar, options.MaxOnsetsPerBar + 1);
            onsets.Add(rng.Sample(8, count).Order().ToArray());
        }
        return new ListeningSongPlan
        {
            Seed = seed,
            Index = index,
            Key = key,
            Tempo = tempo,
            Bars = bars,
            Onsets = onsets,
            ChordsProgram = rng.Pick(ChordsPrograms),
            BassProgram = rng.Pick(BassPrograms),
            LeadProgram = rng.Pick(LeadPrograms),
        };
    }

    /// <summary>The key's triads without the diminished one (six chords to choose from).</summary>
    private static List<Chord> DiatonicTriads(Key key)
    {
        var pcs = key.PitchClasses;
        var triads = new List<Chord>();
        for (var degree = 0; degree < 7; degree++)
        {
            var third = Key.Mod12(pcs[(degree + 2) % 7] - pcs[degree]);
            var fifth = Key.Mod12(pcs[(degree + 4) % 7] - pcs[degree]);
            if (fifth != 7) continue;
            triads.Add(new Chord(pcs[degree], third == 4 ? ChordQuality.Major : ChordQuality.Minor));
        }
        return triads;
    }

    /// <summary>Every onset of the song: tick, the tick the note ends (before the next onset), its chord.</summary>
    public IEnumerable<(long Start, long End, Chord Chord)> Notes()
    {
        var all = Onsets.SelectMany((bar, b) => bar.Select(e => (Tick: (long)b * BarTicks + e * EighthTicks, Bar: b))).ToList();
        for (var i = 0; i < all.Count; i++)
        {
            var next = i + 1 < all.Count ? all[i + 1].Tick : (long)Bars.Count * BarTicks;
            // At most a beat and a bit short of the next onset, so every onset is a fresh attack after a gap.
            var length = Math.Min(TicksPerQuarter, (long)((next - all[i].Tick) * 0.75));
            yield return (all[i].Tick, all[i].Tick + Math.Max(30, length), Bars[all[i].Bar]);
        }
    }

    public GeneratedSong Generate(IReadOnlyList<string> soundFonts, CancellationToken cancellationToken = default)
    {
        if (soundFonts.Count == 0) throw new ArgumentException("no SoundFont", nameof(soundFonts));
        var rng = SeededRandom.Derive(Seed, Index, 32);
        var notes = Notes().ToList();
        var chordsTrack = Track("Chords", 0, ChordsProgram, notes.SelectMany(n => Voicing(n.Chord, 55).Select(p => (n.Start, n.End, p, 84))));
        // Bass: the root between E2 and D#3; lead: one chord tone in the octave above C5.
        var bassTrack = Track("Bass", 1, BassProgram, notes.Select(n => (n.Start, n.End, 40 + Key.Mod12(n.Chord.Root - 4), 100)));
        var leadTrack = Track("Lead", 2, LeadProgram, notes.Select(n => (n.Start, n.End, 72 + n.Chord.PitchClasses[rng.Next(3)], 90)));
        // Kick and closed hat on every onset: the kit keeps the song's rhythm and nothing else.
        var drumTrack = Track("Drum", DrumChannel, 0, notes.SelectMany(n => new[] { (n.Start, n.Start + 60, 36, 110), (n.Start, n.Start + 60, 42, 80) }));
        var conductor = new MidiTrack([
            TempoEvent.FromBpm(0, Tempo),
            new TimeSignatureEvent(0, 4, 4),
            new KeySignatureEvent(0, Key.SharpsOrFlats, Key.Mode == Mode.Minor),
        ], (long)Bars.Count * BarTicks);
        var song = new MidiFile(1, MidiTiming.Musical(TicksPerQuarter), [conductor, chordsTrack, bassTrack, leadTrack, drumTrack]);
        var parts = song.Parts().Where(p => p.Notes.Count > 0)
            .Select(p => new StemPart(p.ToMidiFile(song), p.IsDrum ? 0 : p.Program, p.IsDrum, p.Name ?? "Part", rng.Pick(soundFonts)))
            .ToList();
        return new GeneratedSong(song, parts, Metadata, new Dictionary<string, string>());
    }

    private SlakhMetadata Metadata => new()
    {
        Uuid = GeneratedSong.Uuid(Seed, Index),
        Key = Key.ToString(),
        Tempo = Tempo,
        TimeSignature = "4/4",
        Chords = Bars.Select(c => c.Symbol(Key)).ToList(),
        Seed = Seed,
        Generator = $"stemgen synth-dataset --style listening (song {Index}, {Onsets.Sum(o => o.Count)} onsets)",
    };

    /// <summary>The triad in close position with its lowest note at or above <paramref name="floor"/>.</summary>
    private static IEnumerable<int> Voicing(Chord chord, int floor)
    {
        var root = floor + Key.Mod12(chord.Root - floor);
        return chord.Intervals.Select(i => root + i);
    }

    private static MidiTrack Track(string name, int channel, int program, IEnumerable<(long Start, long End, int Pitch, int Velocity)> notes)
    {
        var events = new List<MidiEvent> { TextEvent.TrackName(0, name), new ProgramChangeEvent(0, channel, program) };
        var timed = notes.SelectMany(n => new[]
        {
            (n.Start, Order: 1, Event: (MidiEvent)new NoteOnEvent(n.Start, channel, n.Pitch, n.Velocity)),
            (n.End, Order: 0, Event: new NoteOffEvent(n.End, channel, n.Pitch)),
        });
        events.AddRange(timed.OrderBy(t => t.Item1).ThenBy(t => t.Order).Select(t => t.Event));
        return new MidiTrack(events, events.Max(e => e.Tick));
    }
}
