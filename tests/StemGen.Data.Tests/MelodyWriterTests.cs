using StemGen.Audio.Midi;
using StemGen.Data.Rendering;

namespace StemGen.Data.Tests;

public class MelodyWriterTests
{
    private static IEnumerable<SongPlan> Plans() => Enumerable.Range(0, 30).Select(i => SongPlan.Create(21, i, SongPlanTests.Grooves));

    private static Chord ChordAt(SongPlan plan, double beat)
    {
        var bar = Math.Min(plan.Bars.Count - 1, (int)(beat / plan.BeatsPerBar));
        var chords = plan.Bars[bar];
        var within = beat - bar * plan.BeatsPerBar;
        return chords[Math.Min(chords.Count - 1, (int)(within / (plan.BeatsPerBar / (double)chords.Count)))];
    }

    [Fact]
    public void Every_melody_note_is_in_the_key()
    {
        foreach (var plan in Plans())
            Assert.All(MelodyWriter.Write(plan), n => Assert.True(plan.Key.InScale(n.Pitch), $"{n.Pitch} is not in {plan.Key}"));
    }

    [Fact]
    public void Notes_on_strong_beats_are_chord_tones()
    {
        foreach (var plan in Plans())
            foreach (var note in MelodyWriter.Write(plan))
            {
                var position = note.StartBeat % plan.BeatsPerBar;
                var strong = position == 0 || (plan.BeatsPerBar == 4 && position == 2);
                var chord = ChordAt(plan, note.StartBeat);
                // A chord tone outside the scale (a harmonic-minor V's leading tone) may be replaced by the root.
                if (strong) Assert.True(chord.Contains(note.Pitch) || !chord.PitchClasses.Any(plan.Key.InScale), $"{plan.Key} {chord.Symbol(plan.Key)}: {note}");
            }
    }

    [Fact]
    public void Notes_sit_on_an_eighth_note_grid_and_never_overlap()
    {
        foreach (var plan in Plans())
        {
            var notes = MelodyWriter.Write(plan);
            Assert.NotEmpty(notes);
            Assert.All(notes, n => Assert.Equal(0, n.StartBeat * 2 % 1, 9));
            for (var i = 1; i < notes.Count; i++) Assert.True(notes[i].StartBeat >= notes[i - 1].StartBeat + notes[i - 1].Beats - 1e-9);
            Assert.True(notes[^1].StartBeat + notes[^1].Beats <= plan.Bars.Count * plan.BeatsPerBar + 1e-9);
        }
    }

    [Fact]
    public void Melodies_stay_in_a_playable_range_and_move_mostly_by_step()
    {
        foreach (var plan in Plans())
        {
            var notes = MelodyWriter.Write(plan);
            var center = MelodyWriter.RegisterCenter(plan.MelodyProgram);
            Assert.All(notes, n => Assert.InRange(n.Pitch, center - 9, center + 12));
            var leaps = notes.Zip(notes.Skip(1), (a, b) => Math.Abs(a.Pitch - b.Pitch)).Count(d => d > 7);
            Assert.True(leaps <= notes.Count / 5, $"{leaps} leaps over a fifth in {notes.Count} notes");
        }
    }

    [Fact]
    public void A_repeated_section_repeats_its_melody()
    {
        var plan = Plans().First(p => p.Sections.Count(s => s.Label == "A") >= 2);
        var notes = MelodyWriter.Write(plan);
        var a = plan.Sections.Where(s => s.Label == "A").ToList();
        IEnumerable<(double, int)> In(SongSection s) => notes
            .Where(n => n.StartBeat >= s.StartBar * plan.BeatsPerBar && n.StartBeat < (s.StartBar + s.Bars) * plan.BeatsPerBar)
            .Select(n => (n.StartBeat - s.StartBar * plan.BeatsPerBar, n.Pitch));
        // The first section may be an instrumental intro; any later A equals the one before it.
        Assert.Equal(In(a[^2]), In(a[^1]));
    }

    [Fact]
    public void The_midi_track_has_the_program_and_every_note()
    {
        var plan = Plans().First();
        var notes = MelodyWriter.Write(plan);
        var track = MelodyWriter.ToTrack(notes, 192, 3, plan.MelodyProgram);
        var file = new MidiFile(1, MidiTiming.Musical(192), [new MidiTrack([TempoEvent.FromBpm(0, plan.Tempo)], 0), track]);
        var parsed = MidiFile.Read(file.ToBytes());
        var part = Assert.Single(parsed.Parts());
        Assert.Equal(plan.MelodyProgram, part.Program);
        Assert.Equal(3, part.Channel);
        Assert.Equal(notes.Select(n => n.Pitch), part.Notes.Select(n => n.Pitch));
        Assert.Equal(notes.Select(n => (long)Math.Round(n.StartBeat * 192)), part.Notes.Select(n => n.StartTick));
    }
}
