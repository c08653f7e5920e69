using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Tests;

public class KeyAndChordTests
{
    public static IEnumerable<object[]> AllKeys() => Enumerable.Range(0, 24).Select(i => new object[] { i });

    /// <summary>Major scale, or harmonic minor scale, up and down from the tonic, the tonic held twice as long at both ends.</summary>
    private static float[] Scale(Key key)
    {
        int[] steps = key.Mode == Mode.Major ? [0, 2, 4, 5, 7, 9, 11, 12] : [0, 2, 3, 5, 7, 8, 11, 12];
        var tonic = 60 + key.Tonic - (key.Tonic >= 6 ? 12 : 0);
        var sequence = steps.Concat(Enumerable.Reverse(steps).Skip(1)).ToArray();
        var buffer = Signals.Silence(0.3 * (sequence.Length + 2) + 0.2);
        var t = 0.0;
        for (var i = 0; i < sequence.Length; i++)
        {
            var length = i == 0 || i == sequence.Length - 1 ? 0.6 : 0.3;
            Signals.AddTone(buffer, tonic + sequence[i], t, length);
            t += length;
        }
        return buffer;
    }

    /// <summary>I-IV-V-I (major) or i-iv-V-i (minor, harmonic dominant), 0.6 s per chord.</summary>
    private static float[] Progression(Key key)
    {
        var t = key.Tonic;
        Chord[] chords = key.Mode == Mode.Major
            ? [Chord.Major(t), Chord.Major(t + 5), Chord.Major(t + 7), Chord.Major(t)]
            : [Chord.Minor(t), Chord.Minor(t + 5), Chord.Major(t + 7), Chord.Minor(t)];
        var buffer = Signals.Silence(0.6 * chords.Length + 0.2);
        for (var i = 0; i < chords.Length; i++) Signals.AddChord(buffer, chords[i], 0.6 * i, 0.6);
        return buffer;
    }

    [Theory]
    [MemberData(nameof(AllKeys))]
    public void Key_of_a_scale(int index)
    {
        var key = Key.FromIndex(index);
        Assert.Equal(key, KeyEstimator.Estimate(Chroma.Compute(Scale(key))));
    }

    [Theory]
    [MemberData(nameof(AllKeys))]
    public void Key_of_a_chord_progression(int index)
    {
        var key = Key.FromIndex(index);
        Assert.Equal(key, KeyEstimator.Estimate(Chroma.Compute(Progression(key))));
    }

    [Theory]
    [MemberData(nameof(AllKeys))]
    public void Chord_label_of_a_triad(int index)
    {
        var chord = new Chord(index);
        var buffer = Signals.Silence(1.5);
        Signals.AddChord(buffer, chord, 0, 1.5);
        var frames = ChordEstimator.Estimate(Chroma.Compute(buffer));
        var labelled = frames.Where(c => !c.IsNone).ToList();
        Assert.True(labelled.Count >= frames.Length / 2, $"only {labelled.Count} of {frames.Length} frames have a chord");
        Assert.All(labelled, c => Assert.Equal(chord, c));
    }

    [Fact]
    public void Silence_has_no_key_and_no_chords()
    {
        var silence = Chroma.Compute(Signals.Silence(2));
        Assert.Null(KeyEstimator.Estimate(silence));
        Assert.All(ChordEstimator.Estimate(silence), c => Assert.True(c.IsNone));
    }

    [Fact]
    public void Chord_sequence_variety_and_alteration_ratio()
    {
        // C Am F G C: 4 changes, 2 of them switch quality (C->Am, Am->F).
        Chord[] chords = [Chord.Major(0), Chord.Minor(9), Chord.Major(5), Chord.Major(7), Chord.Major(0)];
        var buffer = Signals.Silence(0.8 * chords.Length + 0.2);
        for (var i = 0; i < chords.Length; i++) Signals.AddChord(buffer, chords[i], 0.8 * i, 0.8);
        var sequence = ChordEstimator.Sequence(ChordEstimator.Estimate(Chroma.Compute(buffer)));
        Assert.Equal(chords, sequence);
        Assert.Equal(4, sequence.Distinct().Count());
        Assert.Equal(0.5, ChordEstimator.AlterationRatio(sequence), 12);
    }

    [Fact]
    public void Key_names_and_signatures()
    {
        Assert.Equal(new Key(6, Mode.Minor), Key.Parse("F# minor"));
        Assert.Equal(new Key(10, Mode.Major), Key.Parse("Bb major"));
        Assert.Equal(0, Key.Parse("A minor").Fifths);
        Assert.Equal(1, Key.Parse("G major").Fifths);
        Assert.Equal(-1, Key.Parse("D minor").Fifths);
        Assert.Equal(6, Key.Parse("F# major").Fifths);
        Assert.Equal(-2, Key.Parse("Bb major").Fifths);
        Assert.Throws<FormatException>(() => Key.Parse("H major"));
    }
}
