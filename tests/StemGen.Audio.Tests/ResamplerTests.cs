namespace StemGen.Audio.Tests;

/// <summary>soxr through the binding: pitch and level preserved, lengths exact, streaming equals one-shot.</summary>
public sealed class ResamplerTests
{
    [Theory]
    [InlineData(44100, 32000, 1000.0)]
    [InlineData(44100, 32000, 12000.0)] // near the new Nyquist (16 kHz), inside soxr HQ's passband
    [InlineData(48000, 16000, 440.0)]
    [InlineData(16000, 44100, 3000.0)]
    [InlineData(22050, 48000, 5000.0)]
    public void A_sine_keeps_its_frequency_and_level_within_a_tenth_of_a_decibel(int from, int to, double frequency)
    {
        const double amplitude = 0.5;
        var output = Resampler.Resample(Signals.Sine(frequency, amplitude, 1.0, from), to);
        var middle = output.Channel(0)[(to / 10)..(9 * to / 10)]; // away from the edges' filter transients
        var level = Signals.AmplitudeAt(middle, to, frequency);
        Assert.InRange(Levels.ToDecibels(level) - Levels.ToDecibels(amplitude), -0.1, 0.1);
        // Zero-crossing rate measured independently of the projection above.
        Assert.InRange(Signals.ZeroCrossingFrequency(middle, to), frequency * 0.999, frequency * 1.001);
        // Nothing else: the residual after removing the tone is far below it.
        var residual = Residual(middle, to, frequency);
        Assert.True(Levels.ToDecibels(residual) < Levels.ToDecibels(amplitude) - 60, $"residual {Levels.ToDecibels(residual):0.0} dB");
    }

    [Fact]
    public void Output_length_is_input_length_times_the_ratio()
    {
        Assert.Equal(160_000, Resampler.Resample(Signals.Noise(5, 44100, 1, 0.5, 1), 32000).Frames);
        Assert.Equal(44_100, Resampler.Resample(Signals.Noise(1, 48000, 2, 0.5, 1), 44100).Frames);
        Assert.Equal(7, Resampler.Resample(new AudioBuffer(1, 10, 44100), 32000).Frames); // round(7.26)
    }

    [Fact]
    public void Output_is_aligned_with_the_input_in_time()
    {
        // An impulse at 0.5 s must come out at 0.5 s: soxr removes its own filter delay.
        var input = new AudioBuffer(1, 44100, 44100);
        input.Samples[22050] = 1f;
        var output = Resampler.Resample(input, 32000);
        var peak = output.Samples.Select((x, i) => (x, i)).MaxBy(p => Math.Abs(p.x)).i;
        Assert.InRange(peak, 15999, 16001);
    }

    [Fact]
    public void Streaming_in_uneven_blocks_equals_the_one_shot_result()
    {
        var input = Signals.Noise(1.0, 44100, 2, 0.5, seed: 4);
        var oneShot = Resampler.Resample(input, 32000);
        using var resampler = new Resampler(44100, 32000, 2);
        var streamed = new List<float>[] { new(), new() };
        var random = new Random(1);
        for (var start = 0; start < input.Frames;)
        {
            var n = Math.Min(random.Next(1, 5000), input.Frames - start);
            var produced = resampler.Process(input.Slice(start, n), n);
            for (var c = 0; c < 2; c++) streamed[c].AddRange(resampler.Output.Channel(c)[..produced].ToArray());
            start += n;
        }
        var tail = resampler.Flush();
        for (var c = 0; c < 2; c++) streamed[c].AddRange(resampler.Output.Channel(c)[..tail].ToArray());
        for (var c = 0; c < 2; c++)
        {
            var expected = oneShot.Channel(c).ToArray();
            Assert.InRange(streamed[c].Count, expected.Length - 1, expected.Length + 1);
            for (var i = 0; i < expected.Length && i < streamed[c].Count; i++) Assert.Equal(expected[i], streamed[c][i], 5);
        }
    }

    [Fact]
    public void Channels_are_resampled_independently()
    {
        var input = AudioBuffer.FromChannels(48000, Signals.Sine(1000, 0.5, 0.5, 48000).Samples, new float[24000]);
        var output = Resampler.Resample(input, 16000);
        Assert.Equal(0.5, Signals.AmplitudeAt(output.Channel(0), 16000, 1000, 1000, 7000), 2);
        Assert.True(Levels.Peak(output.Channel(1)) == 0f);
    }

    [Fact]
    public void Same_rate_returns_an_identical_copy()
    {
        var input = Signals.Noise(0.1, 32000, 1, 0.5, 2);
        var output = Resampler.Resample(input, 32000);
        Assert.NotSame(input, output);
        Assert.Equal(input.Samples, output.Samples);
    }

    [Fact]
    public void Quick_quality_is_measurably_worse_than_high_near_nyquist()
    {
        // An 18 kHz tone must vanish when going to 32 kHz (Nyquist 16 kHz); cubic interpolation lets an alias through.
        var input = Signals.Sine(18000, 0.5, 0.5, 44100);
        var high = Resampler.Resample(input, 32000, ResampleQuality.High);
        var quick = Resampler.Resample(input, 32000, ResampleQuality.Quick);
        var highAlias = Signals.AmplitudeAt(high.Channel(0), 32000, 14000, 1600, 14400);
        var quickAlias = Signals.AmplitudeAt(quick.Channel(0), 32000, 14000, 1600, 14400);
        Assert.True(Levels.ToDecibels(highAlias) < -100, $"HQ alias at {Levels.ToDecibels(highAlias):0.0} dB");
        Assert.True(quickAlias > highAlias * 100, $"quick alias {Levels.ToDecibels(quickAlias):0.0} dB");
    }

    [Fact]
    public void Mono_downmix_is_the_mean_of_the_channels()
    {
        var stereo = AudioBuffer.FromChannels(8000, [0.2f, 1f, -1f], [0.4f, 0f, 1f]);
        var mono = ChannelMapper.Apply(stereo, ChannelPolicy.Mono);
        Assert.Equal([0.3f, 0.5f, 0f], mono.Samples);
    }

    [Fact]
    public void Stereo_policy_duplicates_mono_and_refuses_surround()
    {
        var mono = AudioBuffer.FromChannels(8000, [0.1f, 0.2f]);
        Assert.Equal([0.1f, 0.2f, 0.1f, 0.2f], ChannelMapper.Apply(mono, ChannelPolicy.Stereo).Samples);
        var surround = new AudioBuffer(6, 10, 8000);
        var error = Assert.Throws<AudioFormatException>(() => ChannelMapper.Apply(surround, ChannelPolicy.Stereo, "movie.wav"));
        Assert.Equal(AudioErrorReason.TooManyChannels, error.Reason);
    }

    [Fact]
    public void First_policy_keeps_channel_zero()
    {
        var stereo = AudioBuffer.FromChannels(8000, [0.2f, 0.3f], [0.9f, 0.9f]);
        Assert.Equal([0.2f, 0.3f], ChannelMapper.Apply(stereo, ChannelPolicy.First).Samples);
    }

    private static double Residual(ReadOnlySpan<float> samples, int rate, double frequency)
    {
        // Least-squares sinusoid at the known frequency, subtracted; RMS of what is left, as a peak amplitude.
        double ss = 0, sc = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var a = 2 * Math.PI * frequency * i / rate;
            ss += samples[i] * Math.Sin(a);
            sc += samples[i] * Math.Cos(a);
        }
        var bs = 2 * ss / samples.Length;
        var bc = 2 * sc / samples.Length;
        double sum = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var a = 2 * Math.PI * frequency * i / rate;
            var r = samples[i] - (bs * Math.Sin(a) + bc * Math.Cos(a));
            sum += r * r;
        }
        return Math.Sqrt(2 * sum / samples.Length);
    }
}
