namespace StemGen.Audio.Tests;

/// <summary>Write then read: lossless formats bit-exact, lossy ones keep the signal, writes are atomic.</summary>
public sealed class RoundTripTests : TempFolderTests
{
    public static TheoryData<string, int, int> LosslessFormats => new()
    {
        { "wav16", 16, 1 }, { "wav16", 16, 2 }, { "wav24", 24, 2 }, { "flac16", 16, 1 }, { "flac16", 16, 2 }, { "flac24", 24, 6 },
    };

    private static AudioWriteFormat Format(string name) => name switch
    {
        "wav16" => AudioWriteFormat.Wav16,
        "wav24" => AudioWriteFormat.Wav24,
        "flac16" => AudioWriteFormat.Flac16,
        "flac24" => AudioWriteFormat.Flac24,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(LosslessFormats))]
    public void Pcm_and_flac_round_trip_bit_exact(string format, int bits, int channels)
    {
        var original = Signals.Quantized(bits, 0.5, 44100, channels, seed: bits * 10 + channels);
        var path = PathOf($"x.{(format.StartsWith("wav") ? "wav" : "flac")}");
        var written = AudioFile.Write(path, original, Format(format));
        var read = AudioFile.Read(path);
        Assert.Equal(0, written.ClippedSamples);
        Assert.Equal(original.Channels, read.Channels);
        Assert.Equal(44100, read.SampleRate);
        Assert.Equal(original.Samples, read.Samples); // exact float equality, every sample
    }

    [Fact]
    public void Float_wav_round_trips_any_finite_value_exactly()
    {
        var original = Signals.Noise(0.2, 48000, 2, amplitude: 1.5, seed: 3); // beyond full scale too: float keeps it
        var path = PathOf("f.wav");
        var result = AudioFile.Write(path, original, AudioWriteFormat.WavFloat);
        Assert.Equal(0, result.ClippedSamples);
        Assert.Equal(original.Samples, AudioFile.Read(path).Samples);
    }

    [Fact]
    public void Reading_an_existing_16_bit_file_and_writing_it_again_gives_identical_samples()
    {
        var first = PathOf("a.flac");
        AudioFile.Write(first, Signals.Sine(440, 0.7, 0.3, 44100, 2), AudioWriteFormat.Flac16);
        var decoded = AudioFile.Read(first);
        var second = PathOf("b.wav");
        AudioFile.Write(second, decoded, AudioWriteFormat.Wav16);
        Assert.Equal(decoded.Samples, AudioFile.Read(second).Samples);
    }

    [Fact]
    public void Probe_reports_format_rate_channels_and_length_from_the_header()
    {
        var path = PathOf("p.flac");
        AudioFile.Write(path, Signals.Sine(1000, 0.5, 1.5, 32000, 2), AudioWriteFormat.Flac24);
        var info = AudioFile.Probe(path);
        Assert.Equal(AudioContainer.Flac, info.Container);
        Assert.Equal(SampleEncoding.Pcm24, info.Encoding);
        Assert.Equal(32000, info.SampleRate);
        Assert.Equal(2, info.Channels);
        Assert.Equal(48000, info.Frames);
        Assert.Equal(1.5, info.Duration.TotalSeconds, 9);
        Assert.Equal("FLAC, 24-bit PCM", info.FormatName);
    }

    [Fact]
    public void Streaming_blocks_concatenate_to_the_whole_file()
    {
        var path = PathOf("s.flac");
        var original = Signals.Quantized(16, 1.3, 22050, 2, seed: 9);
        AudioFile.Write(path, original, AudioWriteFormat.Flac16);
        using var reader = AudioFile.OpenRead(path);
        var block = reader.CreateBlock(1000); // not a divisor of the length: the last block is partial
        var collected = new List<float>[] { new(), new() };
        int n;
        while ((n = reader.Read(block)) > 0)
            for (var c = 0; c < 2; c++) collected[c].AddRange(block.Channel(c)[..n].ToArray());
        Assert.Equal(original.Channel(0).ToArray(), collected[0]);
        Assert.Equal(original.Channel(1).ToArray(), collected[1]);
        Assert.Equal(original.Frames, reader.Position);
    }

    [Fact]
    public void A_stream_in_memory_reads_like_a_file()
    {
        var path = PathOf("m.wav");
        var original = Signals.Quantized(16, 0.2, 16000, 1, seed: 5);
        AudioFile.Write(path, original);
        using var stream = new MemoryStream(File.ReadAllBytes(path));
        Assert.Equal(original.Samples, AudioFile.Read(stream, "upload.wav").Samples);
    }

    public static TheoryData<string, int, int> LossyFormats => new()
    {
        { "ogg", 44100, 1 }, { "ogg", 44100, 2 }, { "opus", 48000, 1 }, { "opus", 48000, 2 }, { "mp3", 44100, 1 }, { "mp3", 44100, 2 },
    };

    /// <summary>libsndfile 1.2 encodes and decodes Ogg Vorbis, Opus and MP3 here; the tone survives in pitch, level and length.</summary>
    [Theory]
    [MemberData(nameof(LossyFormats))]
    public void Lossy_formats_keep_a_tone(string extension, int rate, int channels)
    {
        var path = PathOf($"tone.{extension}");
        var original = Signals.Sine(1000, 0.5, 1.0, rate, channels);
        AudioFile.Write(path, original);
        var info = AudioFile.Probe(path);
        var read = AudioFile.Read(path);
        Assert.Equal(extension switch { "ogg" => AudioContainer.OggVorbis, "opus" => AudioContainer.OggOpus, _ => AudioContainer.Mp3 }, info.Container);
        Assert.Equal(rate, read.SampleRate);
        Assert.Equal(channels, read.Channels);
        Assert.InRange(read.Frames, rate * 0.98, rate * 1.06); // encoder padding at most a few frames
        for (var c = 0; c < channels; c++)
        {
            var middle = read.Channel(c)[(rate / 4)..(3 * rate / 4)];
            Assert.InRange(Signals.ZeroCrossingFrequency(middle, rate), 999, 1001);
            Assert.InRange(Levels.ToDecibels(Signals.AmplitudeAt(middle, rate, 1000)), Levels.ToDecibels(0.5) - 0.5, Levels.ToDecibels(0.5) + 0.5);
        }
    }

    [Fact]
    public void Opus_at_44_1_kHz_is_refused_before_any_file_appears()
    {
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Write(PathOf("x.opus"), Signals.Sine(440, 0.5, 0.1, 44100)));
        Assert.Equal(AudioErrorReason.Unsupported, error.Reason);
        Assert.Contains("48000", error.Message);
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void Pcm_writes_count_clipped_samples_instead_of_hiding_them()
    {
        var loud = Signals.Sine(100, 1.5, 0.1, 8000);
        var path = PathOf("loud.wav");
        var result = AudioFile.Write(path, loud, AudioWriteFormat.Wav16);
        var expected = loud.Samples.Count(x => Math.Abs(x) > 1f);
        Assert.True(result.Clipped);
        Assert.Equal(expected, result.ClippedSamples);
        Assert.Equal(1.5f, result.Peak, 3);
        var read = AudioFile.Read(path);
        Assert.Equal(32767f / 32768f, read.Samples.Max()); // clipped to the PCM extremes
        Assert.Equal(-1f, read.Samples.Min());
    }

    [Fact]
    public void Full_scale_maps_to_the_pcm_extremes_without_counting_as_clipping()
    {
        var path = PathOf("fs.wav");
        var result = AudioFile.Write(path, AudioBuffer.FromChannels(8000, [1f, -1f, 0.5f, 0f]), AudioWriteFormat.Wav16);
        Assert.Equal(0, result.ClippedSamples);
        Assert.Equal([32767f / 32768f, -1f, 0.5f, 0f], AudioFile.Read(path, new AudioReadOptions()).Samples.Take(4));
    }

    [Fact]
    public void A_failed_write_leaves_the_existing_destination_untouched()
    {
        var path = PathOf("keep.wav");
        File.WriteAllBytes(path, [1, 2, 3]);
        var bad = Signals.Sine(100, 0.5, 0.1, 8000);
        bad.Samples[100] = float.NaN;
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Write(path, bad));
        Assert.Equal(AudioErrorReason.NonFinite, error.Reason);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["keep.wav"], Leftovers());
    }

    [Fact]
    public void A_writer_disposed_without_commit_leaves_nothing()
    {
        using (var writer = AudioWriter.Create(PathOf("partial.flac"), AudioWriteFormat.Flac16, 44100, 1))
            writer.Write(Signals.Sine(100, 0.5, 0.5, 44100));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void Writing_over_an_existing_file_replaces_it_whole()
    {
        var path = PathOf("r.wav");
        AudioFile.Write(path, Signals.Sine(100, 0.5, 1, 8000));
        AudioFile.Write(path, Signals.Sine(100, 0.5, 0.25, 8000));
        Assert.Equal(2000, AudioFile.Probe(path).Frames);
        Assert.Equal(["r.wav"], Leftovers());
    }

    [Fact]
    public void Writing_flac_into_a_wav_name_is_refused()
    {
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Write(PathOf("x.wav"), Signals.Sine(100, 0.5, 0.1, 8000), AudioWriteFormat.Flac16));
        Assert.Equal(AudioErrorReason.WrongExtension, error.Reason);
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void Writing_into_a_missing_folder_is_an_io_error()
    {
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Write(PathOf("no/such/x.wav"), Signals.Sine(100, 0.5, 0.1, 8000)));
        Assert.Equal(AudioErrorReason.IoError, error.Reason);
    }

    [Fact]
    public void Flac_compression_level_changes_size_not_samples()
    {
        var audio = Signals.Quantized(16, 0.5, 44100, 1, seed: 1);
        for (var i = 0; i < audio.Frames; i++) audio.Samples[i] = MathF.Round(MathF.Sin(i * 0.01f) * 8000) / 32768f; // compressible
        var fast = PathOf("fast.flac");
        var small = PathOf("small.flac");
        AudioFile.Write(fast, audio, AudioWriteFormat.Flac16, new AudioWriteOptions { CompressionLevel = 0 });
        AudioFile.Write(small, audio, AudioWriteFormat.Flac16, new AudioWriteOptions { CompressionLevel = 1 });
        Assert.True(new FileInfo(small).Length <= new FileInfo(fast).Length);
        Assert.Equal(AudioFile.Read(fast).Samples, AudioFile.Read(small).Samples);
    }

    [Fact]
    public void Convert_resamples_downmixes_and_keeps_24_bit_depth()
    {
        var input = PathOf("in.flac");
        AudioFile.Write(input, Signals.Sine(1000, 0.5, 2, 44100, 2), AudioWriteFormat.Flac24);
        var output = PathOf("out.wav");
        var result = AudioFile.Convert(input, output, new ConvertOptions { SampleRate = 32000, Channels = ChannelPolicy.Mono });
        var read = AudioFile.Read(output);
        Assert.Equal(AudioWriteFormat.Wav24, result.Format);
        Assert.Equal(32000, read.SampleRate);
        Assert.Equal(1, read.Channels);
        Assert.InRange(read.Frames, 63999, 64001);
        Assert.Equal(0.5, Signals.AmplitudeAt(read.Channel(0), 32000, 1000, 4000, 60000), 2);
    }

    [Fact]
    public void Load_applies_channel_policy_then_rate()
    {
        var path = PathOf("l.wav");
        AudioFile.Write(path, AudioBuffer.FromChannels(16000, Signals.Sine(500, 0.25, 1, 16000).Samples, Signals.Sine(500, 0.75, 1, 16000).Samples));
        var mono = AudioFile.Load(path, 32000, ChannelPolicy.Mono);
        Assert.Equal((1, 32000, 32000), (mono.Channels, mono.SampleRate, mono.Frames));
        Assert.Equal(0.5, Signals.AmplitudeAt(mono.Channel(0), 32000, 500, 2000, 30000), 2); // the mean of 0.25 and 0.75
    }
}
