using StemGen.Audio;
using StemGen.Evaluation.Coherence;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Mir;
using StemGen.Evaluation.Mirdd;
using StemGen.Evaluation.Suite;

namespace StemGen.Evaluation.Tests;

/// <summary>The generalization check's figures on signals with known answers: low-frequency share and the per-category means.</summary>
public class HeldOutFiguresTests
{
    private static AudioBuffer Sine(double hz, double seconds, int rate, double amplitude = 0.3)
    {
        var samples = new float[(int)(seconds * rate)];
        for (var i = 0; i < samples.Length; i++) samples[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate));
        return new AudioBuffer(samples, 1, rate);
    }

    [Theory]
    [InlineData(32000)]
    [InlineData(16000)]
    [InlineData(44100)]
    public void A_60_hz_sine_is_all_low_end_and_a_2_khz_sine_has_none(int rate)
    {
        var low = SpectralBalance.LowFrequencyShare(Sine(60, 2, rate));
        var high = SpectralBalance.LowFrequencyShare(Sine(2000, 2, rate));
        Assert.True(low > 0.98, $"60 Hz at {rate} Hz: {low}");
        Assert.True(high < 0.01, $"2 kHz at {rate} Hz: {high}");
    }

    [Fact]
    public void Equal_energy_below_and_above_the_cutoff_gives_about_half()
    {
        var a = Sine(80, 2, 32000);
        var b = Sine(1000, 2, 32000);
        var mix = new float[a.Frames];
        for (var i = 0; i < mix.Length; i++) mix[i] = a.Channel(0)[i] + b.Channel(0)[i];
        Assert.InRange(SpectralBalance.LowFrequencyShare(new AudioBuffer(mix, 1, 32000)), 0.47, 0.53);
        // A higher cutoff takes the 1 kHz tone in too.
        Assert.True(SpectralBalance.LowFrequencyShare(new AudioBuffer(mix, 1, 32000), cutoffHz: 1500) > 0.98);
    }

    [Fact]
    public void Silence_and_clips_shorter_than_a_frame_have_no_share()
    {
        Assert.True(double.IsNaN(SpectralBalance.LowFrequencyShare(new AudioBuffer(new float[32000], 1, 32000))));
        Assert.True(double.IsNaN(SpectralBalance.LowFrequencyShare(Sine(60, 0.05, 32000))));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpectralBalance.LowFrequencyShare(Sine(60, 1, 32000), 0));
    }

    private static CoherenceScores Scores(double key, double onset) => new(key, double.NaN, double.NaN, onset, double.NaN);

    [Fact]
    public void Category_means_skip_undefined_values_and_pool_the_pitched_categories()
    {
        ExampleFigures[] examples =
        [
            new("Bass", 0.8, 0.9, Scores(1, 0.6), Scores(0, 0.3), Scores(1, 0.7), Scores(0.5, 0.2)),
            new("Drums", 0.2, 0.3, Scores(double.NaN, 0.9), Scores(double.NaN, 0.4), Scores(double.NaN, 1.0), Scores(double.NaN, 0.5)),
            new("Bass", 0.6, double.NaN, Scores(0.5, 0.4), null, Scores(1, 0.9), null),
            new("Drums", double.NaN, 0.1, Scores(double.NaN, 0.7), Scores(double.NaN, 0.2), Scores(double.NaN, 0.8), Scores(double.NaN, 0.3)),
            new("Piano", 0.1, 0.1, Scores(0, double.NaN), Scores(0.3, double.NaN), Scores(1, double.NaN), Scores(0.2, double.NaN)),
        ];
        var rows = CategoryFigures.ByCategory(examples);
        Assert.Equal(["Bass", "Drums", "Piano"], rows.Select(r => r.Category));
        var bass = rows[0];
        Assert.Equal(2, bass.Examples);
        Assert.Equal(0.7, bass.LowShareGenerated, 12);
        Assert.Equal(0.9, bass.LowShareReal, 12); // the NaN of the silent real stem is skipped
        Assert.Equal(0.5, bass.OnsetGenerated, 12);
        Assert.Equal(0.3, bass.OnsetOtherContext, 12); // only one example had another song's context
        Assert.Equal(0.2, bass.OnsetMismatched, 12);
        Assert.Equal(0.8, bass.OnsetReal, 12);
        Assert.Equal(0.75, bass.KeyGenerated, 12);
        var drums = rows[1];
        Assert.Equal(0.2, drums.LowShareGenerated, 12);
        Assert.Equal(0.2, drums.LowShareReal, 12);
        Assert.Equal(0.8, drums.OnsetGenerated, 12);
        Assert.Equal(0.3, drums.OnsetOtherContext, 12);
        Assert.Equal(0.9, drums.OnsetReal, 12);
        Assert.True(double.IsNaN(drums.KeyGenerated));

        var pitched = CategoryFigures.Pitched(examples)!;
        Assert.Equal(CategoryFigures.PitchedName, pitched.Category);
        Assert.Equal(3, pitched.Examples); // Bass, Bass, Piano: Drums left out
        Assert.Equal(0.5, pitched.KeyGenerated, 12);
        Assert.Equal(0.35, pitched.KeyMismatched, 12);
        Assert.Equal(1.0, pitched.KeyReal, 12);
        Assert.Null(CategoryFigures.Pitched(examples.Where(e => e.Category == "Drums")));
    }

    private static PointResult Point(string name, string table, string cell, double fad, params CategoryFigures[] categories)
    {
        var coherence = CoherenceSummary.Of("generated", []);
        return new PointResult(name, table, cell, new SamplingSummary(1, 1, "none", 0, 0, 1, [1], 1), 4,
            new FadReport("test", "test", fad, 8, 8, 4, 4, 2), new MirddResult(0, [], "reference||generated", 1e-4), coherence, coherence, null, 0,
            categories.Where(c => c.Category != CategoryFigures.PitchedName).ToList(), categories.FirstOrDefault(c => c.Category == CategoryFigures.PitchedName));
    }

    private static CategoryFigures Figures(string category, double low, double onset, double onsetOther, double onsetReal, double key = double.NaN, double keyMismatched = double.NaN) =>
        new(category, 2, low, 0.5, onset, onsetOther, 0.3, onsetReal, key, double.NaN, keyMismatched, 1);

    private static EvaluationReport Report(string set, params PointResult[] points) => new()
    {
        Dataset = set, Split = "test", Generator = "test", Device = "cpu", Embedding = "test", EmbeddingDescription = "test", Examples = 4, ClipSeconds = 2, Seed = 1,
        Categories = new Dictionary<string, int>(), Points = points,
    };

    [Fact]
    public void The_issue_30_check_applies_its_thresholds_per_set_and_setting()
    {
        var inDistribution = Report("a",
            Point("table3 naive", "table3", "naive", 4, Figures("Bass", 0.45, 0.5, 0.5, 0.9), Figures("Drums", 0.3, 0.5, 0.46, 0.9), Figures("pitched", 0.45, 0.5, 0.5, 0.9, key: 0.4, keyMismatched: 0.4)),
            Point("table3 best", "table3", "best", 3, Figures("Bass", 0.6, 0.5, 0.5, 0.9), Figures("Drums", 0.3, 0.5, 0.44, 1.0), Figures("pitched", 0.6, 0.5, 0.5, 0.9, key: 0.5, keyMismatched: 0.4)),
            Point("baseline: stem from another song", "baseline", "mismatched", 5, Figures("Bass", 0.9, 0.4, 0.4, 0.9)));
        var heldOut = Report("b", Point("naive", "preset", "naive", 2), Point("best", "preset", "best", 2.5));
        var report = inDistribution with { Set = EvaluationReport.InDistributionSet, HeldOut = heldOut with { Set = EvaluationReport.HeldOutSet } };
        var lines = GeneralizationCheck.Of(report);
        CheckLine Line(string set, string setting, string figure) => lines.Single(l => l.Set == set && l.Setting == setting && l.Figure == figure);
        const string ind = EvaluationReport.InDistributionSet, held = EvaluationReport.HeldOutSet;

        Assert.Equal(0.6 / 0.3, Line(ind, "best", "bass / drums low share").Value, 12);
        Assert.True(Line(ind, "best", "bass / drums low share").Pass); // exactly 2 is enough
        Assert.False(Line(ind, "naive", "bass / drums low share").Pass); // 1.5
        Assert.True(Line(ind, "best", "drums onset own - other").Pass); // 0.06
        Assert.False(Line(ind, "naive", "drums onset own - other").Pass); // 0.04
        Assert.Equal(0.5, Line(ind, "best", "drums onset own / real").Value, 12);
        Assert.True(Line(ind, "best", "drums onset own / real").Pass);
        Assert.True(Line(ind, "best", "pitched key gen - mismatched").Pass);
        Assert.False(Line(ind, "naive", "pitched key gen - mismatched").Pass); // equal is not above
        Assert.True(Line(ind, "best vs naive", "FAD(best) < FAD(naive)").Pass);
        // The baseline has Bass but no Drums: the drums figures cannot be computed.
        Assert.Null(Line(ind, "baseline", "bass / drums low share").Pass);
        Assert.Contains("needs Bass and Drums examples (Bass 2, Drums 0)", Line(ind, "baseline", "bass / drums low share").Detail);
        Assert.Equal("n/a", Line(ind, "baseline", "drums onset own / real").Verdict);
        // The held-out set: presets named naive and best, no per-category figures, FAD(best) above FAD(naive).
        Assert.False(Line(held, "best vs naive", "FAD(best) < FAD(naive)").Pass);
        Assert.Equal(0.5, Line(held, "best vs naive", "FAD(best) < FAD(naive)").Value, 12);
        Assert.Null(Line(held, "best", "pitched key gen - mismatched").Pass);
        Assert.DoesNotContain(lines, l => l.Set == held && l.Setting == "baseline");
    }
}
