using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Tests;

public class RhythmAndPitchTests
{
    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(120)]
    [InlineData(145)]
    [InlineData(170)]
    public void Tempo_of_a_click_track(double bpm)
    {
        var beats = BeatTracker.Track(OnsetStrength.Envelope(Signals.Clicks(bpm, 12)));
        Assert.True(beats.HasBeats);
        Assert.InRange(beats.Tempo, bpm * 0.98, bpm * 1.02);
        // Every beat sits on a click (clicks start at 0.25 s).
        var period = 60 / bpm;
        Assert.All(beats.Beats, b => Assert.InRange(Math.Abs(Math.IEEERemainder(b - 0.25, period)), 0, 0.03));
        Assert.True(beats.Beats.Length >= (12 - 1) / period - 2, $"{beats.Beats.Length} beats");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Beats_per_bar_of_an_accented_click_track(int meter)
    {
        var beats = BeatTracker.Track(OnsetStrength.Envelope(Signals.Clicks(110, 14, accentEvery: meter)));
        Assert.Equal(meter, beats.BeatsPerBar);
    }

    [Fact]
    public void Silence_has_no_beats_and_no_onsets()
    {
        var envelope = OnsetStrength.Envelope(Signals.Silence(4));
        Assert.False(BeatTracker.Track(envelope).HasBeats);
        Assert.Empty(OnsetStrength.Onsets(envelope));
    }

    [Fact]
    public void Onsets_of_clicks_and_their_density_in_0_6_s()
    {
        // Clicks every 0.125 s (480 BPM): 5 fall in any 0.6 s window.
        var onsets = OnsetStrength.Onsets(OnsetStrength.Envelope(Signals.Clicks(480, 4)));
        Assert.InRange(onsets.Length, 29, 31);
        Assert.Equal(5, OnsetStrength.MaxDensity(onsets));
        Assert.Equal(4, OnsetStrength.MaxDensity([0, 0.1, 0.2, 0.7, 0.9, 1.0, 1.05])); // 0.7 .. 1.05
        Assert.Equal(0, OnsetStrength.MaxDensity([]));
    }

    [Fact]
    public void Notes_of_a_melody()
    {
        int[] melody = [45, 52, 57, 60, 64, 69, 76, 81];
        var buffer = Signals.Silence(0.4 * melody.Length + 0.2);
        for (var i = 0; i < melody.Length; i++) Signals.AddTone(buffer, melody[i], 0.4 * i, 0.4, 0.3);
        var notes = PitchTracker.Notes(PitchTracker.Track(buffer));
        Assert.Equal(melody, notes.Select(n => n.Pitch).Distinct().ToArray());
        Assert.All(notes, n => Assert.True(n.Duration >= 0.09));
    }

    [Fact]
    public void Sections_of_an_aba_form()
    {
        // A (C - G) 8 s, B (F#m - C#m) 8 s, A again.
        var buffer = Signals.Silence(24);
        for (var s = 0; s < 3; s++)
        {
            Chord[] chords = s == 1 ? [Chord.Minor(6), Chord.Minor(1)] : [Chord.Major(0), Chord.Major(7)];
            for (var i = 0; i < 8; i++) Signals.AddChord(buffer, chords[i % 2], 8 * s + i, 1);
        }
        var sections = StructureSegmenter.Segment(Chroma.Compute(buffer));
        Assert.Equal([0, 1, 0], sections.Select(x => x.Label).ToArray());
        Assert.InRange(sections[1].Start, 7, 9);
        Assert.InRange(sections[2].Start, 15, 17);
    }
}
