using StemGen.Audio;
using StemGen.Evaluation.Coherence;
using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Tests;

/// <summary>The figures of issue 30 on signals with known answers: low-frequency share and the per-category means.</summary>
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
}
