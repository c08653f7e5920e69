namespace StemGen.Audio.Tests;

/// <summary>The level generated stems are stored at: the context mix's loudness minus 6 LU, true peak at most -1 dBTP, at most +30 dB, silence left alone.</summary>
public sealed class LoudnessMatchTests
{
    [Fact]
    public void The_target_is_the_context_loudness_minus_6_LU()
    {
        Assert.Equal(-20, LoudnessMatch.TargetLufs(-14), 9);
        Assert.Equal(-29, LoudnessMatch.TargetLufs(-23), 9);
    }

    [Theory]
    [InlineData(-30, -20, -14, 10)]   // loudness decides: -14 - 6 - (-30)
    [InlineData(-30, -5, -14, 4)]     // the true peak would pass -1 dBTP: only up to it
    [InlineData(-10, -2, -14, -10)]   // too loud: turned down
    [InlineData(-80, -70, -14, 30)]   // nearly silent: at most +30 dB
    public void The_gain_is_the_smallest_of_loudness_true_peak_and_boost_limits(double stem, double truePeak, double context, double expected) =>
        Assert.Equal(expected, LoudnessMatch.GainDb(stem, truePeak, context)!.Value, 9);

    [Theory]
    [InlineData(double.NegativeInfinity, -14)]
    [InlineData(-20, double.NegativeInfinity)]
    [InlineData(double.NaN, -14)]
    public void Silence_on_either_side_changes_nothing(double stem, double context) =>
        Assert.Null(LoudnessMatch.GainDb(stem, -10, context));

    [Fact]
    public void A_quiet_stem_comes_back_6_LU_under_its_context()
    {
        var context = new[] { Signals.Sine(330, 0.4, 4, 32000), Signals.Sine(440, 0.3, 3, 32000) };
        var stem = Signals.Sine(110, 0.01, 4, 32000);
        var result = LoudnessMatch.Apply(stem, context);
        var contextLufs = Loudness.Integrated(Mixer.Mix(context).Audio);
        Assert.Equal(contextLufs, result.ContextLufs, 6);
        Assert.Equal(contextLufs - 6, Loudness.Integrated(result.Audio), 1);
        Assert.True(Loudness.Measure(result.Audio, truePeak: true).TruePeakDb <= -1 + 1e-6);
        Assert.Equal(0.01f, stem.Peak(), 4); // the input is not touched
        // The done-when of issue 29: RMS within 12 dB of the context's.
        var rmsGap = Levels.ToDecibels(Levels.Rms(Mixer.Mix(context).Audio.Samples)) - Levels.ToDecibels(Levels.Rms(result.Audio.Samples));
        Assert.InRange(rmsGap, -12, 12);
    }

    [Fact]
    public void A_mono_stem_over_a_stereo_context_is_measured_as_the_mixer_plays_it()
    {
        var context = new[] { Signals.Sine(330, 0.3, 4, 48000, channels: 2) };
        var stem = Signals.Sine(220, 0.02, 4, 48000);
        var result = LoudnessMatch.Apply(stem, context);
        Assert.Equal(1, result.Audio.Channels);
        var played = Mixer.Mix([new MixInput(result.Audio, Gain.Unity)], new MixOptions { Channels = 2 }).Audio;
        Assert.Equal(Loudness.Integrated(context[0]) - 6, Loudness.Integrated(played), 1);
    }

    [Fact]
    public void A_peaky_stem_stops_at_the_true_peak_ceiling()
    {
        // Sparse clicks: low loudness but high peaks, so the ceiling binds before the loudness target.
        var stem = Signals.Silence(4, 32000);
        for (var i = 0; i < stem.Frames; i += 16000) stem.Samples[i] = 0.1f;
        var context = new[] { Signals.Sine(330, 0.5, 4, 32000) };
        var result = LoudnessMatch.Apply(stem, context);
        Assert.NotNull(result.GainDb);
        Assert.True(Loudness.Integrated(result.Audio) < result.ContextLufs - 6 - 1, "the loudness target was not reached (the ceiling binds)");
        Assert.Equal(-1, Loudness.Measure(result.Audio, truePeak: true).TruePeakDb, 1);
    }

    [Fact]
    public void Silent_stems_and_silent_contexts_are_stored_as_they_are()
    {
        var silentStem = LoudnessMatch.Apply(Signals.Silence(2, 32000), [Signals.Sine(330, 0.4, 2, 32000)]);
        Assert.Null(silentStem.GainDb);
        Assert.Equal(0f, silentStem.Audio.Peak());

        var stem = Signals.Sine(110, 0.2, 2, 32000);
        var overSilence = LoudnessMatch.Apply(stem, [Signals.Silence(2, 32000)]);
        Assert.Null(overSilence.GainDb);
        Assert.Equal(stem.Samples, overSilence.Audio.Samples);

        var noContext = LoudnessMatch.Apply(stem, []);
        Assert.Null(noContext.GainDb);
        Assert.Equal(stem.Samples, noContext.Audio.Samples);
    }
}
