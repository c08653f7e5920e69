namespace StemGen.Audio.Tests;

/// <summary>Frame RMS and the activity rules of docs/slakh.md on synthetic mixtures.</summary>
public sealed class ActivityTests
{
    [Fact]
    public void Frames_at_50_Hz_cover_the_signal()
    {
        Assert.Equal(50, Activity.FrameCount(32000, 32000));
        Assert.Equal(51, Activity.FrameCount(32001, 32000)); // a partial last frame counts
        Assert.Equal(500, Activity.FrameRmsDb(Signals.Silence(10, 44100)).Length);
    }

    [Theory]
    [InlineData(1.0, -3.0103)]
    [InlineData(0.1, -23.0103)]
    [InlineData(0.001, -63.0103)]
    public void Frame_rms_of_a_sine_is_its_amplitude_minus_3_dB(double amplitude, double expectedDb)
    {
        // 400 Hz at 32 kHz: 640-sample frames hold exactly 8 periods, so every frame's RMS is exact.
        var rms = Activity.FrameRmsDb(Signals.Sine(400, amplitude, 1, 32000));
        Assert.All(rms, db => Assert.Equal(expectedDb, db, 3));
    }

    [Fact]
    public void Digital_silence_reads_the_floor()
    {
        Assert.All(Activity.FrameRmsDb(Signals.Silence(1, 16000)), db => Assert.Equal(Activity.FloorDb, db));
    }

    [Fact]
    public void Tone_and_silence_alternate_frame_by_frame()
    {
        // 1 s at 32 kHz: silence, tone at -20 dB, tone at -70 dB (below the -60 dB rule), tone at -40 dB.
        var audio = new AudioBuffer(1, 4 * 32000, 32000);
        Signals.Sine(400, 0.1, 1, 32000).Samples.CopyTo(audio.Samples, 32000);
        Signals.Sine(400, Levels.FromDecibels(-67), 1, 32000).Samples.CopyTo(audio.Samples, 64000); // RMS -70 dB
        Signals.Sine(400, 0.01, 1, 32000).Samples.CopyTo(audio.Samples, 96000);
        var active = Activity.ActiveFrames(audio);
        Assert.Equal(200, active.Length);
        Assert.All(active[..50], a => Assert.False(a));
        Assert.All(active[50..100], a => Assert.True(a));
        Assert.All(active[100..150], a => Assert.False(a));
        Assert.All(active[150..], a => Assert.True(a));
        Assert.Equal(0.5, Activity.ActiveFraction(audio));
        Assert.False(audio.IsSilent());
    }

    [Fact]
    public void A_signal_just_under_the_threshold_is_silent()
    {
        var whisper = Signals.Sine(400, Levels.FromDecibels(-57.5), 1, 32000); // RMS -60.5 dB
        Assert.True(whisper.IsSilent());
        Assert.False(whisper.IsSilent(thresholdDb: -61));
    }

    [Fact]
    public void Overlap_counts_frames_where_both_are_active()
    {
        // Target active in seconds 0-2, context in seconds 1-4 (of 4): both active in second 1-2 only.
        var target = new AudioBuffer(1, 4 * 16000, 16000);
        var context = new AudioBuffer(1, 4 * 16000, 16000);
        Signals.Sine(400, 0.5, 2, 16000).Samples.CopyTo(target.Samples, 0);
        Signals.Sine(400, 0.5, 3, 16000).Samples.CopyTo(context.Samples, 16000);
        var overlap = Activity.Overlap(target, context);
        Assert.Equal(new ActivityOverlap(200, 100, 150, 50), overlap);
        Assert.Equal(0.25, overlap.Fraction);
        Assert.False(overlap.Meets()); // the 50 % crop rule
        Assert.True(overlap.Meets(0.25));
    }

    [Fact]
    public void A_crop_with_both_fully_active_meets_the_rule()
    {
        var a = Signals.Noise(2, 32000, 1, 0.1, 1);
        var b = Signals.Sine(220, 0.1, 2, 32000, channels: 2);
        Assert.True(Activity.Overlap(a, b).Meets());
    }

    [Fact]
    public void Missing_frames_of_a_shorter_signal_count_as_inactive()
    {
        var overlap = Activity.Overlap([true, true, true, true], [true, true]);
        Assert.Equal(4, overlap.Frames);
        Assert.Equal(0.5, overlap.Fraction);
    }

    [Fact]
    public void Multichannel_rms_is_the_power_mean_over_channels()
    {
        var audio = AudioBuffer.FromChannels(32000, Signals.Sine(400, 1, 0.02, 32000).Samples, new float[640]);
        Assert.Equal(-6.0206, Activity.FrameRmsDb(audio)[0], 3); // half the power of a full-scale sine's -3.01 dB
    }
}
