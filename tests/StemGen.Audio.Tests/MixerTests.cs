namespace StemGen.Audio.Tests;

/// <summary>Stems sum with their gains; going past full scale is reported or handled by the chosen guard.</summary>
public sealed class MixerTests
{
    [Fact]
    public void Stems_sum_sample_by_sample()
    {
        var a = AudioBuffer.FromChannels(8000, [0.1f, 0.2f, -0.3f]);
        var b = AudioBuffer.FromChannels(8000, [0.05f, -0.2f, 0.1f]);
        var mix = Mixer.Mix(a, b);
        Assert.Equal([0.15f, 0f, -0.2f], mix.Audio.Samples.Select(x => MathF.Round(x, 6)));
        Assert.False(mix.Clipping);
    }

    [Fact]
    public void Gains_in_decibels_and_linear_apply_per_stem()
    {
        var one = AudioBuffer.FromChannels(8000, [0.5f]);
        var mix = Mixer.Mix([new MixInput(one, Gain.FromDecibels(-6.0206)), new MixInput(one, Gain.FromLinear(0.5))]);
        Assert.Equal(0.5f, mix.Audio.Samples[0], 4);
    }

    [Fact]
    public void Shorter_stems_are_padded_with_silence()
    {
        var mix = Mixer.Mix(AudioBuffer.FromChannels(8000, [0.1f, 0.1f, 0.1f]), AudioBuffer.FromChannels(8000, [0.2f]));
        Assert.Equal([0.3f, 0.1f, 0.1f], mix.Audio.Samples.Select(x => MathF.Round(x, 6)));
    }

    [Fact]
    public void A_mono_stem_goes_to_every_channel_of_a_stereo_mix()
    {
        var stereo = AudioBuffer.FromChannels(8000, [0.1f], [0.2f]);
        var mono = AudioBuffer.FromChannels(8000, [0.3f]);
        var mix = Mixer.Mix(stereo, mono);
        Assert.Equal(2, mix.Audio.Channels);
        Assert.Equal([0.4f, 0.5f], mix.Audio.Samples.Select(x => MathF.Round(x, 6)));
    }

    [Fact]
    public void Different_sample_rates_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Mixer.Mix(new AudioBuffer(1, 10, 44100), new AudioBuffer(1, 10, 48000)));
    }

    [Fact]
    public void Overshoot_is_reported_and_left_alone_by_default()
    {
        var loud = Signals.Sine(100, 0.8, 0.5, 8000);
        var mix = Mixer.Mix(loud, loud);
        Assert.True(mix.Clipping);
        Assert.Equal(1.6f, mix.Guard.PeakBefore, 2);
        Assert.Equal(mix.Guard.PeakBefore, mix.Peak);
        Assert.Equal(ClippingGuard.Report, mix.Guard.Guard);
    }

    [Fact]
    public void Normalize_to_peak_scales_the_whole_mix_under_the_ceiling()
    {
        var loud = Signals.Sine(100, 0.8, 0.5, 8000);
        var mix = Mixer.Mix([loud, loud], new MixOptions { Guard = ClippingGuard.NormalizeToPeak });
        Assert.False(mix.Clipping);
        Assert.Equal(1.0, mix.Peak, 4);
        Assert.Equal(-4.08, mix.Guard.GainReductionDb, 1); // 20 log10(1 / 1.6)
        // The shape is unchanged: a scaled sine.
        Assert.Equal(1.0, Signals.AmplitudeAt(mix.Audio.Channel(0), 8000, 100), 3);
    }

    [Fact]
    public void Limiting_keeps_every_sample_under_the_ceiling_and_leaves_quiet_parts_untouched()
    {
        // One second quiet, then a burst that sums far over full scale.
        var quiet = Signals.Sine(200, 0.2, 2, 16000);
        var burst = new AudioBuffer(1, 32000, 16000);
        Signals.Sine(200, 1.5, 0.5, 16000).Samples.CopyTo(burst.Samples, 24000);
        var mix = Mixer.Mix([quiet, burst], new MixOptions { Guard = ClippingGuard.Limit, CeilingDb = -1 });
        var ceiling = Levels.FromDecibels(-1);
        Assert.True(mix.Audio.Samples.All(x => Math.Abs(x) <= ceiling), $"peak {mix.Peak}");
        Assert.False(mix.Clipping);
        Assert.True(mix.Guard.Exceeded);
        Assert.True(mix.Guard.GainReductionDb < -4);
        // The first second (well before the burst's look-ahead) is the quiet stem, unchanged.
        Assert.Equal(quiet.Channel(0)[..15000].ToArray(), mix.Audio.Channel(0)[..15000].ToArray());
        // Not hard-clipped: crests touch the ceiling one sample at a time, never as a flat run.
        var pinned = mix.Audio.Samples.Select(x => Math.Abs(x) > ceiling * 0.9999).ToArray();
        Assert.DoesNotContain(Enumerable.Range(1, pinned.Length - 1), i => pinned[i] && pinned[i - 1]);
    }

    [Fact]
    public void Mixing_normalised_stems_reproduces_a_known_mix()
    {
        // Slakh: mix = sum of stems at their gains. Re-mixing the stems gives the reference back.
        var drums = Signals.Noise(1, 16000, 1, 0.2, 1);
        var bass = Signals.Sine(55, 0.3, 1, 16000);
        var reference = new float[16000];
        for (var i = 0; i < reference.Length; i++) reference[i] = 0.5f * drums.Samples[i] + 0.7f * bass.Samples[i];
        var mix = Mixer.Mix([new MixInput(drums, Gain.FromLinear(0.5)), new MixInput(bass, Gain.FromLinear(0.7))]);
        for (var i = 0; i < reference.Length; i++) Assert.Equal(reference[i], mix.Audio.Samples[i], 6);
    }
}
