using System.Diagnostics;

namespace StemGen.Audio.Tests;

/// <summary>Every kind of bad file ends in a typed <see cref="AudioFormatException"/> with a message a person can act on.</summary>
public sealed class BadInputTests : TempFolderTests
{
    private AudioFormatException Refused(string path, AudioReadOptions? options = null)
    {
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Read(path, options));
        Assert.StartsWith(Path.GetFileName(path) + ": ", error.Message);
        return error;
    }

    private string Flac(string name, double seconds = 1, int rate = 44100)
    {
        var path = PathOf(name);
        AudioFile.Write(path, Signals.Noise(seconds, rate, 1, 0.3, seed: 1), AudioWriteFormat.Flac16);
        return path;
    }

    [Fact]
    public void Missing_file_is_not_found()
    {
        Assert.Equal(AudioErrorReason.NotFound, Refused(PathOf("nope.wav")).Reason);
    }

    [Fact]
    public void A_folder_is_not_found()
    {
        Directory.CreateDirectory(PathOf("dir.wav"));
        var error = Refused(PathOf("dir.wav"));
        Assert.Equal(AudioErrorReason.NotFound, error.Reason);
        Assert.Contains("folder", error.Message);
    }

    [Fact]
    public void Zero_byte_file_is_empty()
    {
        var error = Refused(WriteBytes("empty.wav", []));
        Assert.Equal(AudioErrorReason.Empty, error.Reason);
        Assert.Equal("empty.wav: the file is empty (0 bytes)", error.Message);
    }

    [Fact]
    public void Wav_header_with_no_frames_is_empty()
    {
        var error = Refused(WriteBytes("header.wav", Signals.Wav(data: [])));
        Assert.Equal(AudioErrorReason.Empty, error.Reason);
    }

    [Fact]
    public void Flac_with_metadata_only_is_empty()
    {
        var full = File.ReadAllBytes(Flac("full.flac"));
        var headerOnly = full[..42]; // "fLaC" + STREAMINFO
        headerOnly[4] |= 0x80; // mark STREAMINFO as the last metadata block
        for (var i = 21; i < 26; i++) headerOnly[i] = (byte)(i == 21 ? headerOnly[i] & 0xF0 : 0); // total samples 0
        var error = Refused(WriteBytes("meta.flac", headerOnly));
        Assert.Equal(AudioErrorReason.Empty, error.Reason);
    }

    [Fact]
    public void Wav_cut_short_is_truncated_and_says_how_much_is_there()
    {
        var full = Signals.Wav(rate: 8000, data: new byte[16000]); // promises 1 s
        var error = Refused(WriteBytes("cut.wav", full[..(44 + 8000)]));
        Assert.Equal(AudioErrorReason.Truncated, error.Reason);
        Assert.Contains("promises 1 s", error.Message);
        Assert.Contains("holds 0.5 s", error.Message);
    }

    [Fact]
    public void A_truncated_wav_can_be_read_on_request()
    {
        var full = Signals.Wav(rate: 8000, data: new byte[16000]);
        var path = WriteBytes("cut.wav", full[..(44 + 8000)]);
        Assert.Equal(4000, AudioFile.Read(path, new AudioReadOptions { AllowTruncated = true }).Frames);
    }

    [Fact]
    public void Wav_cut_inside_the_header_is_refused()
    {
        var error = Refused(WriteBytes("stub.wav", Signals.Wav()[..30]));
        Assert.True(error.Reason is AudioErrorReason.Truncated or AudioErrorReason.Corrupt, error.Message);
    }

    [Fact]
    public void Flac_cut_short_is_truncated()
    {
        var bytes = File.ReadAllBytes(Flac("whole.flac", seconds: 2));
        var error = Refused(WriteBytes("cut.flac", bytes[..(bytes.Length * 6 / 10)]));
        Assert.True(error.Reason == AudioErrorReason.Truncated, error.Message);
    }

    [Fact]
    public void Garbage_named_flac_is_not_a_flac_stream()
    {
        var error = Refused(WriteBytes("file.flac", Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 + 11)).ToArray()));
        Assert.Equal(AudioErrorReason.Corrupt, error.Reason);
        Assert.Equal("file.flac: not a FLAC stream (bad magic)", error.Message);
    }

    [Fact]
    public void Bit_flips_inside_flac_audio_frames_are_caught()
    {
        var bytes = File.ReadAllBytes(Flac("good.flac", seconds: 2));
        var random = new Random(7);
        for (var i = 0; i < 20; i++) bytes[bytes.Length / 2 + random.Next(2000)] ^= (byte)(1 << random.Next(8));
        var error = Refused(WriteBytes("flipped.flac", bytes));
        Assert.True(error.Reason is AudioErrorReason.Corrupt or AudioErrorReason.Truncated, error.Message);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    public void A_flac_whose_audio_does_not_match_its_md5_is_corrupt(int bits)
    {
        var path = PathOf($"md5-{bits}.flac");
        AudioFile.Write(path, Signals.Noise(0.5, 44100, 2, 0.3, seed: 2), bits == 16 ? AudioWriteFormat.Flac16 : AudioWriteFormat.Flac24);
        var bytes = File.ReadAllBytes(path);
        bytes[8 + 18] ^= 0x01; // first byte of the MD5 in STREAMINFO: the audio decodes fine but no longer matches
        var damaged = WriteBytes($"damaged-{bits}.flac", bytes);
        var error = Refused(damaged);
        Assert.Equal(AudioErrorReason.Corrupt, error.Reason);
        Assert.Contains("MD5", error.Message);
        Assert.Equal(22050, AudioFile.Read(damaged, new AudioReadOptions { VerifyFlacChecksum = false }).Frames);
    }

    [Fact]
    public void Wav_content_under_a_flac_name_is_the_wrong_extension()
    {
        var path = PathOf("song.flac");
        AudioFile.Write(PathOf("song.wav"), Signals.Sine(440, 0.5, 0.2, 8000));
        File.Move(PathOf("song.wav"), path);
        var error = Refused(path);
        Assert.Equal(AudioErrorReason.WrongExtension, error.Reason);
        Assert.StartsWith("song.flac: not a FLAC stream (bad magic): the content is WAV", error.Message);
        Assert.Equal(1600, AudioFile.Read(path, new AudioReadOptions { AllowExtensionMismatch = true }).Frames);
    }

    [Fact]
    public void An_unknown_extension_goes_by_content()
    {
        var path = PathOf("upload.bin");
        File.WriteAllBytes(path, File.ReadAllBytes(Flac("a.flac", 0.1)));
        Assert.Equal(AudioContainer.Flac, AudioFile.Probe(path).Container);
    }

    [Fact]
    public void A_midi_file_named_wav_is_the_wrong_extension()
    {
        var error = Refused(WriteBytes("song.wav", [.. "MThd"u8.ToArray(), 0, 0, 0, 6, 0, 0, 0, 1, 0, 96]));
        Assert.Equal(AudioErrorReason.WrongExtension, error.Reason);
        Assert.Contains("MIDI", error.Message);
    }

    [Fact]
    public void Aiff_is_unsupported()
    {
        var error = Refused(WriteBytes("song.aiff", [.. "FORM"u8.ToArray(), 0, 0, 0, 4, .. "AIFF"u8.ToArray(), .. new byte[64]]));
        Assert.Equal(AudioErrorReason.Unsupported, error.Reason);
        Assert.Contains("AIFF", error.Message);
    }

    [Fact]
    public void Text_is_not_recognised_audio()
    {
        var error = Refused(WriteBytes("notes.txt", "hello, this is not audio\n"u8.ToArray()));
        Assert.Equal(AudioErrorReason.Unsupported, error.Reason);
        Assert.Contains("WAV, FLAC, Ogg Vorbis, Opus and MP3", error.Message);
    }

    [Fact]
    public void Adpcm_wav_is_unsupported_with_a_way_out()
    {
        var error = Refused(WriteBytes("adpcm.wav", Signals.Wav(formatTag: 2, bits: 4, blockAlign: 256)));
        Assert.Equal(AudioErrorReason.Unsupported, error.Reason);
        Assert.Contains("Microsoft ADPCM", error.Message);
        Assert.Contains("convert it", error.Message);
    }

    [Fact]
    public void Twelve_bit_pcm_is_unsupported()
    {
        Assert.Equal(AudioErrorReason.Unsupported, Refused(WriteBytes("odd.wav", Signals.Wav(bits: 12, blockAlign: 2))).Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4000)]
    [InlineData(2_000_000_000)]
    public void Absurd_wav_sample_rates_are_refused(int rate)
    {
        var error = Refused(WriteBytes($"rate{rate}.wav", Signals.Wav(rate: 8000, data: new byte[1600]) is var wav ? Patch(wav, 24, rate) : []));
        Assert.Equal(AudioErrorReason.BadSampleRate, error.Reason);
        Assert.Contains($"{rate} Hz", error.Message);
    }

    [Fact]
    public void Flac_with_sample_rate_zero_is_refused()
    {
        var bytes = File.ReadAllBytes(Flac("r.flac", 0.2));
        bytes[18] = 0;
        bytes[19] = 0;
        bytes[20] &= 0x0F;
        Assert.Equal(AudioErrorReason.BadSampleRate, Refused(WriteBytes("rate0.flac", bytes)).Reason);
    }

    [Fact]
    public void Sample_rate_limits_are_options()
    {
        var path = Flac("hi.flac", 0.1, rate: 96000);
        Assert.Equal(AudioErrorReason.BadSampleRate, Refused(path, new AudioReadOptions { MaxSampleRate = 48000 }).Reason);
        Assert.Equal(96000, AudioFile.Read(path).SampleRate);
    }

    [Fact]
    public void Too_many_channels_are_refused_from_the_header()
    {
        var error = Refused(WriteBytes("many.wav", Signals.Wav(channels: 300, data: new byte[600 * 10])));
        Assert.Equal(AudioErrorReason.TooManyChannels, error.Reason);
    }

    [Fact]
    public void Zero_channels_is_corrupt()
    {
        Assert.Equal(AudioErrorReason.Corrupt, Refused(WriteBytes("none.wav", Signals.Wav(channels: 0, blockAlign: 2))).Reason);
    }

    [Fact]
    public void Inconsistent_block_align_is_corrupt()
    {
        var error = Refused(WriteBytes("align.wav", Signals.Wav(channels: 2, blockAlign: 3)));
        Assert.Equal(AudioErrorReason.Corrupt, error.Reason);
        Assert.Contains("block align", error.Message);
    }

    [Fact]
    public void A_chunk_longer_than_the_file_is_refused()
    {
        var wav = Signals.Wav();
        var withJunk = wav[..36].Concat("LIST"u8.ToArray()).Concat(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F }).Concat(wav[36..]).ToArray();
        var error = Refused(WriteBytes("chunk.wav", withJunk));
        Assert.True(error.Reason is AudioErrorReason.Truncated or AudioErrorReason.Corrupt);
        Assert.Contains("'LIST'", error.Message);
    }

    [Fact]
    public void A_header_claiming_hours_of_audio_is_too_long_before_anything_is_decoded()
    {
        // 0xFFFFFFF0 bytes of 16-bit mono at 8 kHz is 74 hours; the file is sparse, so this costs no disk.
        var path = WriteBytes("huge.wav", Signals.Wav(rate: 8000, data: [], dataSize: 0xFFFFFFF0));
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(44 + 0xFFFFFFF0L);
        var clock = Stopwatch.StartNew();
        var error = Refused(path);
        Assert.Equal(AudioErrorReason.TooLong, error.Reason);
        Assert.Contains("longer than the 120 minutes allowed", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Maximum_duration_is_an_option()
    {
        var path = Flac("two.flac", seconds: 2);
        Assert.Equal(AudioErrorReason.TooLong, Refused(path, new AudioReadOptions { MaxDuration = TimeSpan.FromSeconds(1) }).Reason);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_samples_are_refused_with_their_position(float bad)
    {
        var samples = Enumerable.Range(0, 8000).Select(i => 0.1f * MathF.Sin(i)).ToArray();
        samples[4000] = bad;
        var error = Refused(WriteBytes("nan.wav", Signals.FloatWav(samples)));
        Assert.Equal(AudioErrorReason.NonFinite, error.Reason);
        Assert.Contains("first at 0.5 s, channel 1", error.Message);
    }

    [Fact]
    public void Silence_is_read_and_reported_silent()
    {
        var path = PathOf("quiet.flac");
        AudioFile.Write(path, Signals.Silence(1, 16000));
        var audio = AudioFile.Read(path);
        Assert.Equal(16000, audio.Frames);
        Assert.True(audio.IsSilent());
    }

    [Fact]
    public void Probe_applies_the_same_checks()
    {
        var full = Signals.Wav(rate: 8000, data: new byte[16000]);
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Probe(WriteBytes("cut.wav", full[..1000])));
        Assert.Equal(AudioErrorReason.Truncated, error.Reason);
    }

    [Fact]
    public void A_failed_conversion_leaves_no_output()
    {
        var input = WriteBytes("bad.wav", Signals.Wav(rate: 8000, data: new byte[16000])[..5000]);
        Assert.Throws<AudioFormatException>(() => AudioFile.Convert(input, PathOf("out.flac")));
        Assert.Equal(["bad.wav"], Leftovers());
    }

    [Fact]
    public void Nan_in_the_middle_of_a_conversion_leaves_no_output()
    {
        var samples = Enumerable.Range(0, 100_000).Select(i => 0.1f * MathF.Sin(i)).ToArray();
        samples[90_000] = float.NaN; // after several blocks have been written to the temp file
        var input = WriteBytes("nan.wav", Signals.FloatWav(samples));
        var error = Assert.Throws<AudioFormatException>(() => AudioFile.Convert(input, PathOf("out.flac")));
        Assert.Equal(AudioErrorReason.NonFinite, error.Reason);
        Assert.Equal(["nan.wav"], Leftovers());
    }

    [Fact]
    public void Random_bytes_named_mp3_are_not_an_mp3_stream()
    {
        var error = Refused(WriteBytes("x.mp3", Enumerable.Repeat((byte)0x42, 1000).ToArray()));
        Assert.Equal(AudioErrorReason.Corrupt, error.Reason);
        Assert.Equal("x.mp3: not an MP3 stream (bad magic)", error.Message);
    }

    [Fact]
    public void Mpeg_layer_2_is_unsupported_by_name()
    {
        // Frame header FF FD: MPEG-1, layer II, no CRC; bitrate index 9, 44.1 kHz.
        var error = Refused(WriteBytes("old.mp2", [0xFF, 0xFD, 0x90, 0x00, .. new byte[500]]));
        Assert.Equal(AudioErrorReason.Unsupported, error.Reason);
        Assert.Contains("layer I/II", error.Message);
    }

    [Fact]
    public void An_id3_tag_without_audio_is_refused()
    {
        byte[] tag = [.. "ID3"u8.ToArray(), 4, 0, 0, 0, 0, 0, 10, .. new byte[10]];
        var error = Refused(WriteBytes("tag.mp3", tag));
        Assert.True(error.Reason is AudioErrorReason.Corrupt or AudioErrorReason.Empty, error.Message);
    }

    [Fact]
    public void A_cut_ogg_file_is_refused_or_read_short_never_crashes()
    {
        var path = PathOf("t.ogg");
        AudioFile.Write(path, Signals.Sine(440, 0.5, 1, 44100));
        var bytes = File.ReadAllBytes(path);
        var cut = WriteBytes("cut.ogg", bytes[..(bytes.Length / 2)]);
        try
        {
            Assert.InRange(AudioFile.Read(cut).Frames, 1, 44100);
        }
        catch (AudioFormatException) { }
    }

    private static byte[] Patch(byte[] bytes, int offset, int value)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value);
        return bytes;
    }
}
