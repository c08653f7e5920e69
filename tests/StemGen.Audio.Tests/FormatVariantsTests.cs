using System.Buffers.Binary;

namespace StemGen.Audio.Tests;

/// <summary>WAV and FLAC variants found in the wild, built by hand byte for byte.</summary>
public sealed class FormatVariantsTests : TempFolderTests
{
    private static byte[] Pcm16(params short[] samples)
    {
        var data = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * i), samples[i]);
        return data;
    }

    [Fact]
    public void Wave_format_extensible_pcm_is_read()
    {
        var data = Pcm16(16384, -16384, 8192, -8192);
        var fmt = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), 2);     // channels
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), 8000);  // rate
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), 32000); // byte rate
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), 4);    // block align
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), 16);   // bits
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);   // extension size
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), 16);   // valid bits
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), 3);    // channel mask: front left | front right
        // KSDATAFORMAT_SUBTYPE_PCM {00000001-0000-0010-8000-00AA00389B71}
        byte[] guid = [1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71];
        guid.CopyTo(fmt, 24);
        byte[] file =
        [
            .. "RIFF"u8, .. Le32(4 + 8 + 40 + 8 + data.Length), .. "WAVE"u8,
            .. "fmt "u8, .. Le32(40), .. fmt,
            .. "data"u8, .. Le32(data.Length), .. data,
        ];
        var audio = AudioFile.Read(WriteBytes("ext.wav", file));
        Assert.Equal(2, audio.Channels);
        Assert.Equal([0.5f, 0.25f], audio.Channel(0).ToArray());
        Assert.Equal([-0.5f, -0.25f], audio.Channel(1).ToArray());
    }

    [Fact]
    public void Big_endian_rifx_is_read()
    {
        var audio = AudioFile.Read(WriteBytes("be.wav", Signals.Wav(riff: "RIFX", bigEndian: true, data: [0x40, 0x00, 0xC0, 0x00])));
        Assert.Equal([0.5f, -0.5f], audio.Samples);
    }

    [Fact]
    public void Rf64_with_a_ds64_chunk_is_read()
    {
        var data = Pcm16(1000, 2000, 3000);
        var ds64 = new byte[28];
        BinaryPrimitives.WriteUInt64LittleEndian(ds64, (ulong)(4 + 36 + 24 + 8 + data.Length)); // RIFF size
        BinaryPrimitives.WriteUInt64LittleEndian(ds64.AsSpan(8), (ulong)data.Length);           // data size
        BinaryPrimitives.WriteUInt64LittleEndian(ds64.AsSpan(16), 3);                            // sample count
        var wav = Signals.Wav(rate: 8000, data: data);
        byte[] file =
        [
            .. "RF64"u8, 0xFF, 0xFF, 0xFF, 0xFF, .. "WAVE"u8,
            .. "ds64"u8, .. Le32(28), .. ds64,
            .. wav[12..36], // fmt chunk
            .. "data"u8, 0xFF, 0xFF, 0xFF, 0xFF, .. data,
        ];
        var audio = AudioFile.Read(WriteBytes("big.wav", file));
        Assert.Equal([1000 / 32768f, 2000 / 32768f, 3000 / 32768f], audio.Samples);
    }

    [Fact]
    public void Streaming_wav_with_unknown_data_length_is_read_to_the_end_of_the_file()
    {
        var audio = AudioFile.Read(WriteBytes("live.wav", Signals.Wav(data: Pcm16(1, 2, 3, 4), dataSize: 0xFFFFFFFF)));
        Assert.Equal(4, audio.Frames);
    }

    [Fact]
    public void Chunks_before_the_data_are_skipped_with_their_pad_byte()
    {
        var wav = Signals.Wav(data: Pcm16(100, 200));
        byte[] list = [.. "LIST"u8, .. Le32(5), .. "INFOx"u8, 0]; // odd size, then a pad byte
        byte[] file = [.. wav[..36], .. list, .. wav[36..]];
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));
        Assert.Equal([100 / 32768f, 200 / 32768f], AudioFile.Read(WriteBytes("list.wav", file)).Samples);
    }

    [Fact]
    public void Flac_behind_an_id3_tag_is_read()
    {
        var path = PathOf("plain.flac");
        var original = Signals.Quantized(16, 0.1, 44100, 1, seed: 2);
        AudioFile.Write(path, original);
        byte[] id3 = [.. "ID3"u8, 3, 0, 0, 0, 0, 0, 20, .. new byte[20]];
        var tagged = WriteBytes("tagged.flac", [.. id3, .. File.ReadAllBytes(path)]);
        Assert.Equal(original.Samples, AudioFile.Read(tagged).Samples);
    }

    [Fact]
    public void Flac_without_a_total_length_is_read_to_its_end()
    {
        // STREAMINFO total samples 0 means "unknown" (streamed encoders write that).
        var path = PathOf("known.flac");
        var original = Signals.Quantized(16, 0.5, 44100, 1, seed: 3);
        AudioFile.Write(path, original);
        var bytes = File.ReadAllBytes(path);
        bytes[21] &= 0xF0;
        bytes[22] = bytes[23] = bytes[24] = bytes[25] = 0;
        var unknown = WriteBytes("unknown.flac", bytes);
        Assert.Equal(original.Samples, AudioFile.Read(unknown).Samples);
    }

    [Fact]
    public void Non_seekable_streams_are_refused_up_front()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();
        Assert.Throws<ArgumentException>(() => AudioReader.Open(pipe, "pipe.wav"));
    }

    [Fact]
    public void Six_channel_24_bit_wav_round_trips()
    {
        var original = Signals.Quantized(24, 0.1, 48000, 6, seed: 4);
        var path = PathOf("surround.wav");
        AudioFile.Write(path, original, AudioWriteFormat.Wav24);
        Assert.Equal(original.Samples, AudioFile.Read(path).Samples);
    }

    [Fact]
    public void U_law_wav_is_read()
    {
        // G.711 u-law: 0xFF is +0, 0x80 is the largest positive value (+8031 / 8192 in 14 bits).
        var audio = AudioFile.Read(WriteBytes("ulaw.wav", Signals.Wav(formatTag: 7, bits: 8, data: [0xFF, 0x80, 0x00])));
        Assert.Equal(0f, audio.Samples[0]);
        Assert.True(audio.Samples[1] > 0.9f && audio.Samples[2] < -0.9f);
    }

    [Fact]
    public void A_law_wav_is_read()
    {
        // G.711 A-law: 0xD5 is the smallest positive step, 0xAA the largest positive value.
        var audio = AudioFile.Read(WriteBytes("alaw.wav", Signals.Wav(formatTag: 6, bits: 8, data: [0xD5, 0xAA, 0x2A])));
        Assert.InRange(audio.Samples[0], 0f, 0.001f);
        Assert.True(audio.Samples[1] > 0.9f && audio.Samples[2] < -0.9f);
    }

    [Fact]
    public void Unsigned_8_bit_wav_is_read()
    {
        var audio = AudioFile.Read(WriteBytes("u8.wav", Signals.Wav(bits: 8, data: [128, 192, 64, 0])));
        Assert.Equal([0f, 0.5f, -0.5f, -1f], audio.Samples);
    }

    [Fact]
    public void Thirty_two_bit_pcm_wav_round_trips()
    {
        var original = Signals.Quantized(24, 0.1, 96000, 2, seed: 6); // k / 2^23 is exact in float32 and in 32-bit PCM
        var path = PathOf("pcm32.wav");
        AudioFile.Write(path, original, new AudioWriteFormat(AudioContainer.Wav, SampleEncoding.Pcm32));
        Assert.Equal(SampleEncoding.Pcm32, AudioFile.Probe(path).Encoding);
        Assert.Equal(original.Samples, AudioFile.Read(path).Samples);
    }

    [Fact]
    public void Sixty_four_bit_float_wav_is_read()
    {
        var data = new byte[24];
        BinaryPrimitives.WriteDoubleLittleEndian(data, 0.25);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), -0.75);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(16), 1.5);
        var path = WriteBytes("f64.wav", Signals.Wav(formatTag: 3, bits: 64, data: data));
        Assert.Equal(SampleEncoding.Float64, AudioFile.Probe(path).Encoding);
        Assert.Equal([0.25f, -0.75f, 1.5f], AudioFile.Read(path).Samples);
    }

    private static byte[] Le32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }
}
