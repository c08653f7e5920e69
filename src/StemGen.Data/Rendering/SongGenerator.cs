using StemGen.Audio.Midi;
using StemGen.Data.Slakh;

namespace StemGen.Data.Rendering;

/// <summary>One song of a synthetic dataset before rendering: drawn from (seed, index) alone.</summary>
public interface ISynthSong
{
    int Index { get; }
    double Seconds { get; }
    GeneratedSong Generate(IReadOnlyList<string> soundFonts, CancellationToken cancellationToken = default);
}

/// <summary>A song ready to render: the full multitrack MIDI, one part per stem, the song fields of metadata.yaml and extra files for the track folder.</summary>
public sealed record GeneratedSong(MidiFile Midi, IReadOnlyList<StemPart> Parts, SlakhMetadata Metadata, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>A UUID-like 32-hex-digit id from seed and index, as Slakh's UUID field (stable across runs).</summary>
    internal static string Uuid(long seed, int index)
    {
        var rng = SeededRandom.Derive(seed, index, 3);
        return $"{rng.NextUInt64():x16}{rng.NextUInt64():x16}";
    }
}

/// <summary>
/// Turns a <see cref="SongPlan"/> into multitrack MIDI: mma renders the chart in the plan's groove
/// (drums, bass, chords, ...), <see cref="MelodyWriter"/> adds a melody on a free channel, and the
/// result is split into one part per instrument. Some accompaniment parts get another instrument
/// of the same role (bass stays a bass), so categories beyond mma's favourite voices appear.
/// </summary>
public static class SongGenerator
{
    /// <summary>Instruments an accompaniment (chord, arpeggio) part may switch to.</summary>
    internal static readonly int[] HarmonyVoices =
    [
        0, 1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 14, 16, 17, 18, 19, 21, 24, 25, 26, 27, 28, 29, 30, 45, 46,
        48, 49, 50, 51, 52, 53, 54, 61, 62, 63, 88, 89, 90, 91, 92, 93, 94, 95, 96, 98, 99, 100, 102,
        105, 106, 107, 108, 112, 114,
    ];

    /// <summary>Probability that an accompaniment part changes instrument.</summary>
    public const double VoiceChangeProbability = 0.3;

    /// <summary>Parts with fewer notes are dropped (a stray fill note is not a stem).</summary>
    public const int MinNotes = 4;

    public static GeneratedSong Generate(SongPlan plan, IReadOnlyList<string> soundFonts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (soundFonts.Count == 0) throw new ArgumentException("no SoundFont", nameof(soundFonts));
        var accompaniment = Mma.Render(plan.ToMma(), cancellationToken);
        var used = accompaniment.Notes().Select(n => n.Channel).ToHashSet();
        var channel = Enumerable.Range(0, 16).FirstOrDefault(c => c != 9 && !used.Contains(c), -1);
        if (channel < 0) throw new InvalidOperationException("mma used every MIDI channel: no room for the melody");
        var melody = MelodyWriter.ToTrack(MelodyWriter.Write(plan), accompaniment.Timing.TicksPerQuarter, channel, plan.MelodyProgram);
        var song = new MidiFile(1, accompaniment.Timing, [.. accompaniment.Tracks, melody]);
        return new GeneratedSong(song, Parts(plan, song, soundFonts), Metadata(plan), new Dictionary<string, string> { ["song.mma"] = plan.ToMma() });
    }

    /// <summary>The song fields of metadata.yaml (key, tempo, chords, groove, seed); the renderer adds the rest.</summary>
    private static SlakhMetadata Metadata(SongPlan plan) => new()
    {
        Uuid = GeneratedSong.Uuid(plan.Seed, plan.Index),
        Key = plan.Key.ToString(),
        Tempo = plan.Tempo,
        TimeSignature = plan.TimeSignature,
        Chords = plan.ChordSymbols,
        Groove = plan.Groove.Name,
        Seed = plan.Seed,
        Generator = $"stemgen synth-dataset (song {plan.Index}, form {plan.Form}{(plan.Sevenths ? ", sevenths" : "")})",
    };

    /// <summary>
    /// An mma bass-line track: "Bass", "Walk" or a numbered one ("Bass-1"). Other "Bass-..." tracks are
    /// other instruments on mma's bass track type (BossaNova's "Bass-Sus" is strings at octave 6).
    /// </summary>
    private static bool IsBassRole(MidiPart part) =>
        part.Name is { } name && System.Text.RegularExpressions.Regex.IsMatch(name, @"^(Bass|Walk)(-?\d+)?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    /// <summary>A bass-line track in a bass voice (mma sometimes plays the bass line on a guitar or a tuba).</summary>
    private static bool IsBassLine(MidiPart part) => IsBassRole(part) && part.Program is >= 32 and <= 39;

    private static List<StemPart> Parts(SongPlan plan, MidiFile song, IReadOnlyList<string> soundFonts)
    {
        var rng = SeededRandom.Derive(plan.Seed, plan.Index, 5);
        var all = song.Parts().Where(p => p.Notes.Count > 0).ToList();
        // Drums are one stem however mma spreads them (as in Slakh, where a kit is one instrument).
        var drums = all.Where(p => p.IsDrum).ToList();
        var pitched = all.Where(p => !p.IsDrum).ToList();
        var parts = new List<StemPart>();
        if (drums.Sum(d => d.Notes.Count) >= MinNotes)
        {
            var kit = new MidiPart(drums[0].Track, 9, 0, "Drum", drums.SelectMany(d => d.Notes).OrderBy(n => n.StartTick).ToList());
            parts.Add(new StemPart(kit.ToMidiFile(song), 0, true, "Drum", rng.Pick(soundFonts)));
        }
        // mma often splits the bass line over two tracks that take turns ("Bass" and "Walk"): one
        // bass stem per song, as in Slakh, in the voice of the busier part.
        var bassLines = pitched.Where(IsBassLine).ToList();
        if (bassLines.Count > 1)
        {
            var main = bassLines.MaxBy(p => p.Notes.Count)!;
            var merged = main with { Name = "Bass", Notes = bassLines.SelectMany(p => p.Notes).OrderBy(n => n.StartTick).ThenBy(n => n.Pitch).ToList() };
            pitched = pitched.Where(p => !IsBassLine(p)).Prepend(merged).OrderBy(p => p.Track).ToList();
        }
        foreach (var part in pitched)
        {
            if (part.Notes.Count < MinNotes) continue;
            var name = part.Name ?? $"Track{part.Track}";
            var program = part.Program;
            var isMelody = name == "Melody";
            var isBass = IsBassRole(part);
            // Draw for every part (used or not), so one part's decision never shifts another's.
            var change = rng.Chance(VoiceChangeProbability);
            var bassVoice = rng.Next(32, 40);
            var harmonyVoice = rng.Pick(HarmonyVoices);
            if (!isMelody && change) program = isBass ? bassVoice : harmonyVoice;
            var midi = (part with { Program = program }).ToMidiFile(song);
            parts.Add(new StemPart(midi, program, false, name, rng.Pick(soundFonts)));
        }
        return parts;
    }
}
