using StemGen.Audio.Midi;

namespace StemGen.Data.Rendering;

/// <summary>A melody note in beats from the start of the song.</summary>
public sealed record MelodyNote(double StartBeat, double Beats, int Pitch, int Velocity);

/// <summary>
/// Writes a lead melody over a <see cref="SongPlan"/>'s chords: scale-aware (every pitch is in the
/// key's scale), chord tones on strong beats and at phrase ends, mostly stepwise motion between,
/// rhythms from one-bar patterns aligned to the bar, two-bar phrases whose rhythm motif returns
/// (a a' b a''), and each section's melody repeating when the section does. Deterministic from
/// the plan's seed.
/// </summary>
public static class MelodyWriter
{
    // One-bar rhythms in beats; a negative length is a rest.
    private static readonly double[][] Body4 =
    [
        [1, 1, 1, 1], [0.5, 0.5, 1, 1, 1], [1, 0.5, 0.5, 1, 1], [1.5, 0.5, 1, 1], [2, 1, 1], [1, 1, 2],
        [0.5, 0.5, 0.5, 0.5, 1, 1], [-1, 1, 1, 1], [-0.5, 0.5, 1, 1, 1], [1, 1, 0.5, 0.5, 1], [2, 0.5, 0.5, 1], [1.5, 1.5, 1],
    ];
    private static readonly double[][] End4 = [[4], [2, -2], [3, -1], [1, 1, 2], [-1, 1, 2], [1.5, 0.5, 2]];
    private static readonly double[][] Body3 = [[1, 1, 1], [2, 1], [0.5, 0.5, 1, 1], [1.5, 0.5, 1], [-1, 1, 1], [1, 0.5, 0.5, 1]];
    private static readonly double[][] End3 = [[3], [2, -1], [1, 2], [-1, 2]];

    /// <summary>The melody of a song.</summary>
    public static IReadOnlyList<MelodyNote> Write(SongPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var rng = SeededRandom.Derive(plan.Seed, plan.Index, 11);
        var center = RegisterCenter(plan.MelodyProgram);
        var range = (Low: center - 9, High: center + 12);
        var beats = plan.BeatsPerBar;
        var notes = new List<MelodyNote>();
        var sectionMelodies = new Dictionary<string, List<MelodyNote>>();
        // Sometimes the melody waits for the first section to pass (an instrumental intro).
        var restFirstSection = rng.Chance(0.3);
        var pitch = NearestChordTone(plan.Key, plan.Bars[0][0], center, range);

        for (var i = 0; i < plan.Sections.Count; i++)
        {
            var section = plan.Sections[i];
            var sectionBars = plan.Bars.Skip(section.StartBar).Take(section.Bars).ToList();
            List<MelodyNote> melody;
            if (section.Label == SongSection.EndLabel)
            {
                // A held tone of the tonic chord to close.
                var last = NearestChordTone(plan.Key, sectionBars[0][0], pitch, range, preferRoot: true);
                melody = [new MelodyNote(0, beats, last, 84)];
            }
            else if (!sectionMelodies.TryGetValue(section.Label, out melody!))
            {
                melody = Section(plan.Key, sectionBars, beats, rng, ref pitch, range);
                sectionMelodies[section.Label] = melody;
            }
            if (!(i == 0 && restFirstSection))
                notes.AddRange(melody.Select(n => n with { StartBeat = n.StartBeat + section.StartBar * beats }));
            if (melody.Count > 0) pitch = melody[^1].Pitch;
        }
        return notes;
    }

    /// <summary>One section: two-bar phrases; the first phrase's rhythm returns in the 2nd and 4th.</summary>
    private static List<MelodyNote> Section(Key key, IReadOnlyList<IReadOnlyList<Chord>> bars, int beats, SeededRandom rng, ref int pitch, (int Low, int High) range)
    {
        var body = beats == 3 ? Body3 : Body4;
        var ending = beats == 3 ? End3 : End4;
        var motif = (First: rng.Pick(body), Last: rng.Pick(ending));
        var notes = new List<MelodyNote>();
        for (var phrase = 0; phrase * 2 < bars.Count; phrase++)
        {
            var reuse = phrase % 2 == 1 || phrase == 0;
            var rhythms = reuse ? motif : (First: rng.Pick(body), Last: rng.Pick(ending));
            for (var half = 0; half < 2 && phrase * 2 + half < bars.Count; half++)
            {
                var barIndex = phrase * 2 + half;
                var pattern = half == 0 ? rhythms.First : rhythms.Last;
                var position = 0.0;
                for (var n = 0; n < pattern.Length; n++)
                {
                    var length = Math.Abs(pattern[n]);
                    if (pattern[n] > 0)
                    {
                        var chord = ChordAt(bars[barIndex], position, beats);
                        var strong = position == 0 || (beats == 4 && position == 2);
                        var phraseEnd = half == 1 && n == LastNote(pattern);
                        if (phraseEnd) pitch = NearestChordTone(key, chord, pitch, range, preferRoot: rng.Chance(0.5));
                        else if (strong || length >= 1.5) pitch = ChordToneNear(key, chord, pitch, range, rng);
                        else pitch = Step(key, pitch, range, rng);
                        var velocity = Math.Clamp(84 + (strong ? 8 : 0) + rng.Next(-6, 7), 1, 127);
                        notes.Add(new MelodyNote(barIndex * beats + position, length, pitch, velocity));
                    }
                    position += length;
                }
            }
        }
        return notes;
    }

    private static int LastNote(double[] pattern)
    {
        for (var i = pattern.Length - 1; i >= 0; i--) if (pattern[i] > 0) return i;
        return -1;
    }

    private static Chord ChordAt(IReadOnlyList<Chord> bar, double position, int beats) =>
        bar.Count == 1 ? bar[0] : bar[Math.Min(bar.Count - 1, (int)(position / (beats / (double)bar.Count)))];

    /// <summary>A scale step of one or two degrees (rarely a leap), pulled back toward the middle of the range.</summary>
    private static int Step(Key key, int pitch, (int Low, int High) range, SeededRandom rng)
    {
        int[] moves = [-3, -2, -1, 1, 2, 3];
        double[] weights = [0.3, 1, 4, 4, 1, 0.3];
        var middle = (range.Low + range.High) / 2.0;
        // Past the middle, downward moves weigh more, and the reverse.
        var pull = (pitch - middle) / (range.High - range.Low);
        var adjusted = moves.Select((m, i) => weights[i] * Math.Exp(-3 * pull * Math.Sign(m))).ToArray();
        var degrees = moves[rng.PickWeighted(adjusted)];
        var result = MoveInScale(key, pitch, degrees);
        if (result < range.Low || result > range.High) result = MoveInScale(key, pitch, -degrees);
        var clamped = Math.Clamp(result, range.Low, range.High);
        return key.InScale(clamped) ? clamped : SnapToScale(key, clamped);
    }

    /// <summary>One of the two chord tones nearest the current pitch (so the line moves, but not far).</summary>
    private static int ChordToneNear(Key key, Chord chord, int pitch, (int Low, int High) range, SeededRandom rng)
    {
        var candidates = ChordTones(key, chord, range).OrderBy(p => Math.Abs(p - pitch)).ThenBy(p => p).Take(3).ToList();
        // Prefer moving over repeating the same note.
        var moving = candidates.Where(p => p != pitch).Take(2).ToList();
        return moving.Count > 0 ? rng.Pick(moving) : candidates[0];
    }

    private static int NearestChordTone(Key key, Chord chord, int pitch, (int Low, int High) range, bool preferRoot = false)
    {
        var tones = ChordTones(key, chord, range).ToList();
        if (preferRoot && tones.Any(p => Key.Mod12(p - chord.Root) == 0)) tones = tones.Where(p => Key.Mod12(p - chord.Root) == 0).ToList();
        return tones.OrderBy(p => Math.Abs(p - pitch)).ThenBy(p => p).First();
    }

    /// <summary>Chord tones in range that are also in the scale (a harmonic-minor V's leading tone stays out of a natural-minor tune).</summary>
    private static IEnumerable<int> ChordTones(Key key, Chord chord, (int Low, int High) range)
    {
        var tones = Enumerable.Range(range.Low, range.High - range.Low + 1).Where(p => chord.Contains(p) && key.InScale(p)).ToList();
        return tones.Count > 0 ? tones : Enumerable.Range(range.Low, range.High - range.Low + 1).Where(p => Key.Mod12(p - chord.Root) == 0 && key.InScale(p)).DefaultIfEmpty(SnapToScale(key, (range.Low + range.High) / 2));
    }

    private static int MoveInScale(Key key, int pitch, int degrees)
    {
        var p = SnapToScale(key, pitch);
        var step = Math.Sign(degrees);
        for (var moved = 0; moved < Math.Abs(degrees);)
        {
            p += step;
            if (key.InScale(p)) moved++;
        }
        return p;
    }

    private static int SnapToScale(Key key, int pitch)
    {
        for (var d = 0; d < 12; d++)
        {
            if (key.InScale(pitch - d)) return pitch - d;
            if (key.InScale(pitch + d)) return pitch + d;
        }
        return pitch;
    }

    /// <summary>A comfortable middle pitch for the instrument (MIDI note number, sounding pitch).</summary>
    internal static int RegisterCenter(int program) => program switch
    {
        11 => 76,
        13 => 79,
        >= 24 and <= 31 => 64,
        40 or 110 => 76,
        41 => 67,
        42 => 55,
        52 or 53 => 67,
        56 => 70,
        57 => 58,
        60 => 62,
        64 or 68 => 74,
        65 or 71 => 67,
        66 => 60,
        73 or 79 => 79,
        74 or 75 => 76,
        104 => 64,
        105 => 67,
        _ => 72,
    };

    /// <summary>The melody as a MIDI track on <paramref name="channel"/> with <paramref name="program"/>.</summary>
    public static MidiTrack ToTrack(IReadOnlyList<MelodyNote> notes, int ticksPerQuarter, int channel, int program, string name = "Melody")
    {
        var events = new List<MidiEvent> { TextEvent.TrackName(0, name), new ProgramChangeEvent(0, channel, program) };
        var timed = new List<(long Tick, int Order, MidiEvent Event)>();
        foreach (var n in notes)
        {
            var start = (long)Math.Round(n.StartBeat * ticksPerQuarter);
            // Slightly detached, so repeated pitches re-strike cleanly.
            var end = start + Math.Max(1, (long)Math.Round(n.Beats * ticksPerQuarter * 0.92));
            timed.Add((start, 1, new NoteOnEvent(start, channel, n.Pitch, n.Velocity)));
            timed.Add((end, 0, new NoteOffEvent(end, channel, n.Pitch)));
        }
        events.AddRange(timed.OrderBy(t => t.Tick).ThenBy(t => t.Order).Select(t => t.Event));
        return new MidiTrack(events, events.Count == 0 ? 0 : events.Max(e => e.Tick));
    }
}
