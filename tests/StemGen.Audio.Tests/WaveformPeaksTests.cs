using System.Text.Json;

namespace StemGen.Audio.Tests;

/// <summary>Waveform overviews: shape, values, streaming, size on the wire.</summary>
public sealed class WaveformPeaksTests : TempFolderTests
{
    [Fact]
    public void Each_level_has_ceil_frames_over_bucket_size_buckets()
    {
        var peaks = WaveformPeaks.Compute(Signals.Noise(1, 44100, 2, 0.5, 1));
        Assert.Equal([256, 1024, 4096, 16384], peaks.Levels.Select(l => l.SamplesPerBucket));
        Assert.Equal([173, 44, 11, 3], peaks.Levels.Select(l => l.Buckets));
        Assert.Equal(44100, peaks.Frames);
        Assert.Equal(2, peaks.Channels);
    }

    [Fact]
    public void Buckets_hold_min_and_max_over_all_channels_rounded_outwards()
    {
        // Bucket 0: channel 0 spans [-0.5, 0.25], channel 1 [0, 0.75] -> [-0.5, 0.75]. Bucket 1: constant 0.1.
        var left = new float[8];
        var right = new float[8];
        left[1] = -0.5f; left[2] = 0.25f; right[3] = 0.75f;
        for (var i = 4; i < 8; i++) left[i] = right[i] = 0.1f;
        var peaks = WaveformPeaks.Compute(AudioBuffer.FromChannels(8000, left, right), [4, 8]);
        var fine = peaks.Levels[0];
        Assert.Equal((sbyte)-64, fine.Min(0)); // floor(-63.5)
        Assert.Equal((sbyte)96, fine.Max(0));  // ceil(95.25)
        Assert.Equal((sbyte)12, fine.Min(1));  // floor(12.7)
        Assert.Equal((sbyte)13, fine.Max(1));  // ceil(12.7)
        Assert.Equal([(sbyte)-64, (sbyte)96], peaks.Levels[1].Data);
    }

    [Fact]
    public void Coarse_levels_agree_with_computing_them_directly()
    {
        var audio = Signals.Noise(0.5, 16000, 1, 0.9, 3);
        var cascade = WaveformPeaks.Compute(audio, [64, 256, 1024]);
        var direct = WaveformPeaks.Compute(audio, [1024]);
        Assert.Equal(direct.Levels[0].Data, cascade.Levels[2].Data);
    }

    [Fact]
    public void Clipped_samples_saturate_at_127()
    {
        var peaks = WaveformPeaks.Compute(AudioBuffer.FromChannels(8000, [2f, -3f]), [2]);
        Assert.Equal([(sbyte)-127, (sbyte)127], peaks.Levels[0].Data);
    }

    [Fact]
    public void A_file_streamed_in_one_pass_gives_the_same_peaks()
    {
        var audio = Signals.Quantized(16, 3.3, 44100, 2, seed: 8);
        var path = PathOf("w.flac");
        AudioFile.Write(path, audio);
        var fromFile = WaveformPeaks.FromFile(path);
        var inMemory = WaveformPeaks.Compute(audio);
        for (var k = 0; k < inMemory.Levels.Count; k++) Assert.Equal(inMemory.Levels[k].Data, fromFile.Levels[k].Data);
    }

    [Fact]
    public void Serialises_to_compact_json_and_back()
    {
        var peaks = WaveformPeaks.Compute(Signals.Sine(100, 0.5, 300, 8000)); // 5 minutes at 8 kHz
        var json = JsonSerializer.Serialize(peaks);
        Assert.Contains("\"Data\":[", json); // numbers, not base64
        Assert.True(json.Length < 100_000, $"{json.Length} bytes");
        var back = JsonSerializer.Deserialize<WaveformPeaks>(json)!;
        Assert.Equal(peaks.Levels[0].Data, back.Levels[0].Data);
        Assert.Equal(peaks.Frames, back.Frames);
    }

    [Fact]
    public void For_width_picks_the_coarsest_level_that_fills_it()
    {
        var peaks = WaveformPeaks.Compute(Signals.Silence(10, 44100)); // 1723 / 431 / 108 / 27 buckets
        Assert.Equal(1024, peaks.ForWidth(400).SamplesPerBucket);
        Assert.Equal(256, peaks.ForWidth(5000).SamplesPerBucket);
    }

    [Fact]
    public void Levels_must_be_increasing_multiples()
    {
        Assert.Throws<ArgumentException>(() => new WaveformPeaksBuilder(8000, 1, [256, 1000]));
        Assert.Throws<ArgumentException>(() => new WaveformPeaksBuilder(8000, 1, [1024, 256]));
    }
}
