namespace StemGen.Audio.Tests;

/// <summary>libebur128 against the BS.1770 / EBU R128 definition on signals with known loudness.</summary>
public sealed class LoudnessTests
{
    [Fact]
    public void A_1_kHz_sine_at_minus_20_dBFS_in_mono_reads_minus_23_LUFS()
    {
        // BS.1770: a 0 dBFS 1 kHz sine in one front channel reads -3.01 LKFS (K-weighting is ~+0.69 dB at
        // 1 kHz and the -0.691 offset cancels it), so -20 dBFS reads -23.01.
        var sine = Signals.Sine(1000, Levels.FromDecibels(-20), 10, 48000);
        Assert.Equal(-23.01, Loudness.Integrated(sine), 1);
    }

    [Fact]
    public void The_same_sine_in_both_stereo_channels_reads_3_dB_louder()
    {
        var sine = Signals.Sine(1000, Levels.FromDecibels(-20), 10, 48000, channels: 2);
        Assert.Equal(-20.0, Loudness.Integrated(sine), 1);
    }

    [Fact]
    public void Loudness_scales_with_gain_decibel_for_decibel()
    {
        var a = Loudness.Integrated(Signals.Sine(1000, 0.1, 5, 44100));
        var b = Loudness.Integrated(Signals.Sine(1000, 0.1 * Levels.FromDecibels(-6), 5, 44100));
        Assert.Equal(-6, b - a, 2);
    }

    [Fact]
    public void Silence_has_no_loudness()
    {
        var result = Loudness.Measure(Signals.Silence(5, 48000));
        Assert.True(result.IsSilent);
        Assert.Equal(double.NegativeInfinity, result.IntegratedLufs);
    }

    [Fact]
    public void Gating_ignores_silence_around_the_programme()
    {
        // 20 s of tone inside 60 s: the absolute gate (-70 LUFS) drops the silent blocks; only the six
        // 400 ms blocks straddling the edges pull the result down, by 10 log10(200 / 203) = -0.064 LU.
        var tone = Signals.Sine(1000, 0.1, 20, 16000);
        var padded = new AudioBuffer(1, tone.Frames * 3, 16000);
        tone.Samples.CopyTo(padded.Samples, tone.Frames);
        Assert.Equal(Loudness.Integrated(tone) - 0.064, Loudness.Integrated(padded), 2);
    }

    [Fact]
    public void Sample_and_true_peaks_are_reported()
    {
        var result = Loudness.Measure(Signals.Sine(997, 0.5, 2, 48000), truePeak: true);
        Assert.Equal(0.5, result.SamplePeak, 2);
        Assert.InRange(result.TruePeak, result.SamplePeak - 1e-6, 0.51);
        Assert.Equal(-6.02, result.SamplePeakDb, 1);
    }

    [Fact]
    public void Normalising_reaches_the_target_loudness()
    {
        var quiet = Signals.Noise(5, 44100, 1, 0.02, seed: 3);
        var result = Loudness.Normalize(quiet, -13);
        Assert.True(result.Applied);
        Assert.Equal(-13, Loudness.Integrated(result.Audio), 1);
        Assert.Equal(-13 - result.InputLufs, result.Gain.Decibels, 6);
        Assert.NotSame(quiet, result.Audio);
    }

    [Fact]
    public void Normalising_past_full_scale_reports_the_overshoot()
    {
        var result = Loudness.Normalize(Signals.Sine(1000, 0.1, 3, 48000), -1); // needs peaks well above 1
        Assert.True(result.Guard.Exceeded);
        Assert.True(result.Guard.Clipping);
        Assert.True(result.Audio.Peak() > 1f);
    }

    [Fact]
    public void Normalising_silence_changes_nothing_and_says_so()
    {
        var result = Loudness.Normalize(Signals.Silence(2, 48000), -13);
        Assert.False(result.Applied);
        Assert.Equal(0, result.Gain.Decibels);
    }

    [Fact]
    public void Measuring_a_file_streams_to_the_same_answer()
    {
        var folder = Directory.CreateTempSubdirectory("loudness-").FullName;
        try
        {
            var path = Path.Combine(folder, "n.wav");
            var audio = Signals.Noise(3, 48000, 2, 0.25, seed: 6);
            AudioFile.Write(path, audio, AudioWriteFormat.WavFloat);
            Assert.Equal(Loudness.Integrated(audio), Loudness.Measure(path).IntegratedLufs, 6);
        }
        finally { Directory.Delete(folder, true); }
    }
}
