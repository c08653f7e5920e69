using System.Buffers.Binary;

namespace StemGen.Audio.Formats;

/// <summary>
/// Reads a FLAC file's metadata block chain (after an optional ID3v2 tag): STREAMINFO must come
/// first and every block must fit in the file. STREAMINFO gives the rate, channels, bit depth,
/// total samples and the MD5 of the decoded audio, which the reader checks at the end.
/// </summary>
internal static class FlacHeader
{
    private const int MaxBlocks = 10_000;

    /// <summary>STREAMINFO. TotalFrames 0 means "unknown" (allowed by the format for streams).</summary>
    internal readonly record struct StreamInfo(int SampleRate, int Channels, int BitsPerSample, long TotalFrames, byte[] Md5)
    {
        public bool HasMd5 => Md5.Any(b => b != 0);
    }

    public static StreamInfo Check(Stream stream, string path, AudioReadOptions options)
    {
        var length = stream.Length;
        var start = FlacStart(stream);
        Span<byte> magic = stackalloc byte[4];
        if (StreamBytes.ReadAt(stream, start, magic) < 4 || magic[0] != 'f' || magic[1] != 'L' || magic[2] != 'a' || magic[3] != 'C')
            throw new AudioFormatException(path, AudioErrorReason.Corrupt, "not a FLAC stream (bad magic)");

        Span<byte> header = stackalloc byte[4];
        Span<byte> info = stackalloc byte[34];
        var position = start + 4;
        StreamInfo? streamInfo = null;
        for (var index = 0; ; index++)
        {
            if (index == MaxBlocks) throw new AudioFormatException(path, AudioErrorReason.Corrupt, $"more than {MaxBlocks} FLAC metadata blocks: not a sane FLAC file");
            if (StreamBytes.ReadAt(stream, position, header) < 4)
                throw new AudioFormatException(path, AudioErrorReason.Truncated, $"truncated: the file ends after {length} bytes, inside the FLAC metadata");
            var last = (header[0] & 0x80) != 0;
            var type = header[0] & 0x7F;
            var size = header[1] << 16 | header[2] << 8 | header[3];
            var body = position + 4;
            if (index == 0 && (type != 0 || size != 34))
                throw new AudioFormatException(path, AudioErrorReason.Corrupt, "not a valid FLAC stream: the first metadata block is not a 34-byte STREAMINFO");
            if (type == 127) throw new AudioFormatException(path, AudioErrorReason.Corrupt, $"invalid FLAC metadata block type 127 at byte {position}");
            if (body + size > length)
                throw new AudioFormatException(path, AudioErrorReason.Truncated,
                    $"truncated: FLAC metadata block at byte {position} claims {size} bytes but only {Math.Max(0, length - body)} remain");
            if (index == 0)
            {
                StreamBytes.ReadAt(stream, body, info);
                streamInfo = Parse(path, options, info);
            }
            position = body + size;
            if (last) break;
        }

        var si = streamInfo!.Value;
        if (position >= length)
        {
            if (si.TotalFrames == 0) throw new AudioFormatException(path, AudioErrorReason.Empty, "contains no audio (FLAC metadata only)");
            throw new AudioFormatException(path, AudioErrorReason.Truncated,
                $"truncated: STREAMINFO promises {WavHeader.Seconds(si.TotalFrames, si.SampleRate)} of audio but the file ends after the metadata");
        }
        return si;
    }

    private static StreamInfo Parse(string path, AudioReadOptions options, ReadOnlySpan<byte> b)
    {
        var minBlock = BinaryPrimitives.ReadUInt16BigEndian(b);
        var maxBlock = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
        // Bytes 10..17: rate (20 bits), channels - 1 (3), bits per sample - 1 (5), total samples (36).
        var packed = BinaryPrimitives.ReadUInt64BigEndian(b[10..]);
        var rate = (int)(packed >> 44);
        var channels = (int)((packed >> 41) & 0x7) + 1;
        var bits = (int)((packed >> 36) & 0x1F) + 1;
        var total = (long)(packed & 0xF_FFFF_FFFF);
        if (maxBlock < 16 || minBlock > maxBlock)
            throw new AudioFormatException(path, AudioErrorReason.Corrupt, $"invalid FLAC STREAMINFO: block sizes {minBlock}..{maxBlock}");
        if (rate == 0) throw new AudioFormatException(path, AudioErrorReason.BadSampleRate, "invalid FLAC STREAMINFO: sample rate 0 Hz");
        WavHeader.CheckRate(path, options, rate);
        WavHeader.CheckChannels(path, options, channels);
        if (bits < 4) throw new AudioFormatException(path, AudioErrorReason.Corrupt, $"invalid FLAC STREAMINFO: {bits} bits per sample");
        if (total > 0) WavHeader.CheckLength(path, options, rate, total);
        return new(rate, channels, bits, total, b[18..34].ToArray());
    }

    /// <summary>Where "fLaC" should be: after an ID3v2 tag if one is prepended.</summary>
    private static long FlacStart(Stream stream)
    {
        Span<byte> id3 = stackalloc byte[10];
        if (StreamBytes.ReadAt(stream, 0, id3) < 10 || id3[0] != 'I' || id3[1] != 'D' || id3[2] != '3') return 0;
        var size = (id3[6] & 0x7F) << 21 | (id3[7] & 0x7F) << 14 | (id3[8] & 0x7F) << 7 | (id3[9] & 0x7F);
        return 10L + size + ((id3[5] & 0x10) != 0 ? 10 : 0);
    }
}
