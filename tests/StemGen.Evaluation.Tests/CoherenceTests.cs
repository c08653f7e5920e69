using StemGen.Evaluation.Coherence;
using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Tests;

public class CoherenceTests
{
    [Fact]
    public void Key_score_follows_the_mirex_weights()
    {
        var c = Key.Parse("C major");
        Assert.Equal(1, CoherenceMetrics.KeyScore(c, c));
        Assert.Equal(0.5, CoherenceMetrics.KeyScore(c, Key.Parse("G major")));
        Assert.Equal(0.5, CoherenceMetrics.KeyScore(c, Key.Parse("F major")));
        Assert.Equal(0.3, CoherenceMetrics.KeyScore(c, Key.Parse("A minor")));
        Assert.Equal(0.2, CoherenceMetrics.KeyScore(c, Key.Parse("C minor")));
        Assert.Equal(0, CoherenceMetrics.KeyScore(c, Key.Parse("F# major")));
        Assert.True(double.IsNaN(CoherenceMetrics.KeyScore(c, null)));
    }

    [Fact]
    public void Tempo_match_allows_double_and_half_time()
    {
        Assert.Equal(1, CoherenceMetrics.TempoMatch(120, 122));
        Assert.Equal(1, CoherenceMetrics.TempoMatch(120, 240));
        Assert.Equal(1, CoherenceMetrics.TempoMatch(120, 61));
        Assert.Equal(0, CoherenceMetrics.TempoMatch(120, 135));
        Assert.True(double.IsNaN(CoherenceMetrics.TempoMatch(double.NaN, 120)));
    }

    [Fact]
    public void Onset_alignment_counts_onsets_near_beats_and_half_beats()
    {
        var grid = new BeatResult([1, 1.5, 2, 2.5, 3], 120, 4);
        // On the beat, on a half-beat (1.25), 30 ms off (counts), 120 ms off (does not).
        Assert.Equal(0.75, CoherenceMetrics.OnsetAlignment(grid, [1.5, 1.25, 2.03, 2.62]), 12);
    }

    [Fact]
    public void A_stem_in_the_context_fits_better_than_one_from_another_song()
    {
        // Context: clicks at 120 BPM and C - Am - F - G (one chord per second); fitting stem: a bass line
        // on the beats playing each chord's root and fifth; mismatched stem: an F# - A# line at 97 BPM.
        const double length = 8;
        Chord[] progression = [Chord.Major(0), Chord.Minor(9), Chord.Major(5), Chord.Major(7)];
        var context = Signals.Clicks(120, length);
        for (var i = 0; i < length; i++) Signals.AddChord(context, progression[i % 4], i, 1);
        var fitting = Signals.Silence(length);
        var mismatched = Signals.Silence(length);
        for (var i = 0; i < 2 * length; i++)
        {
            var root = 36 + progression[(i / 2) % 4].Root - (progression[(i / 2) % 4].Root > 6 ? 12 : 0);
            Signals.AddTone(fitting, root + (i % 2 == 0 ? 0 : 7), 0.25 + 0.5 * i, 0.4, 0.4);
        }
        for (var t = 0.1; t < length - 0.5; t += 60 / 97.0) Signals.AddTone(mismatched, 42 + (int)(t * 3) % 2 * 4, t, 0.4, 0.4);
        var ctx = MirAnalysis.Of(context);
        var good = CoherenceMetrics.Score(ctx, MirAnalysis.Of(fitting));
        var bad = CoherenceMetrics.Score(ctx, MirAnalysis.Of(mismatched));
        Assert.True(good.ChordToneRatio > bad.ChordToneRatio + 0.3, $"chord tones {good.ChordToneRatio} vs {bad.ChordToneRatio}");
        Assert.True(good.OnsetAlignment > bad.OnsetAlignment, $"onsets {good.OnsetAlignment} vs {bad.OnsetAlignment}");
        Assert.True(good.KeyScore >= 0.5 && good.KeyScore > bad.KeyScore, $"key {good.KeyScore} vs {bad.KeyScore}");
    }
}
