using System.Buffers.Binary;

namespace StemGen.Audio.Formats;

/// <summary>
/// Walks a WAV file's RIFF chunks (RIFF, RIFX and RF64) up to the data chunk and checks what
/// libsndfile would otherwise accept silently: a data chunk longer than the file (truncation),
/// chunks running past the end, an inconsistent fmt chunk, limits. Only PCM, float, A-law and
/// u-law encodings pass: the ADPCM and GSM decoders are rarely used and most exposed to bad input.
/// </summary>
internal static class WavHeader
{
    private const int MaxChunks = 4096;

    /// <summary>What the header promises: frames in the data chunk and whether the file holds them all.</summary>
    internal readonly record struct Facts(int Channels, int SampleRate, long DeclaredFrames, long AvailableFrames, bool LengthUnknown);

    public static Facts Check(Stream stream, string path, AudioReadOptions options)
    {
        var length = stream.Length;
        Span<byte> riff = stackalloc byte[12];
        if (StreamBytes.ReadAt(stream, 0, riff) < 12)
            throw Fail(path, AudioErrorReason.Truncated, $"truncated: only {length} bytes, the WAV header alone needs 44");
        var bigEndian = riff[3] == 'X'; // RIFX
        var rf64 = riff[0] == 'R' && riff[1] == 'F';

        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[40];
        Span<byte> ds64 = stackalloc byte[16];
        var haveFmt = false;
        int formatTag = 0, channels = 0, sampleRate = 0, blockAlign = 0, bits = 0;
        long ds64Data = -1;
        long position = 12;
        for (var index = 0; ; index++)
        {
            if (index == MaxChunks) throw Fail(path, AudioErrorReason.Corrupt, $"more than {MaxChunks} chunks before the audio data: not a sane WAV file");
            if (StreamBytes.ReadAt(stream, position, chunk) < 8)
                throw Fail(path, haveFmt ? AudioErrorReason.Truncated : AudioErrorReason.Corrupt,
                    haveFmt ? $"truncated: the file ends after {length} bytes, before the audio data chunk"
                            : "no fmt chunk: not a valid WAV file (the header is damaged or cut off)");
            var id = BinaryPrimitives.ReadUInt32LittleEndian(chunk);
            var size = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(chunk[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            var name = ContentSniffer.FourCC(id);
            var body = position + 8;
            var remaining = length - body;

            if (name == "data")
            {
                if (!haveFmt) throw Fail(path, AudioErrorReason.Corrupt, "the data chunk comes before the fmt chunk: not a valid WAV file");
                long declared = size;
                if (rf64 && size == uint.MaxValue && ds64Data >= 0) declared = ds64Data;
                // 0xFFFFFFFF (and 0 followed by data) is how streaming writers say "until the end of the file".
                var unknown = (!rf64 && size == uint.MaxValue) || (size == 0 && remaining > 0);
                var available = remaining / blockAlign;
                var declaredFrames = unknown ? available : declared / blockAlign;
                return Validate(path, options, channels, sampleRate, declaredFrames, Math.Min(available, declaredFrames), unknown);
            }

            if (size > remaining)
                throw Fail(path, remaining <= 0 || !haveFmt ? AudioErrorReason.Corrupt : AudioErrorReason.Truncated,
                    $"chunk '{name}' at byte {position} claims {size} bytes but only {Math.Max(0, remaining)} remain: the file is damaged or cut off");

            if (name == "fmt ")
            {
                if (size < 16) throw Fail(path, AudioErrorReason.Corrupt, $"fmt chunk is {size} bytes, WAV needs at least 16");
                var n = StreamBytes.ReadAt(stream, body, fmt[..(int)Math.Min(size, 40u)]);
                var f = fmt[..n];
                formatTag = U16(f, 0, bigEndian);
                channels = U16(f, 2, bigEndian);
                sampleRate = (int)Math.Min(int.MaxValue, U32(f, 4, bigEndian));
                blockAlign = U16(f, 12, bigEndian);
                bits = U16(f, 14, bigEndian);
                if (formatTag == 0xFFFE)
                {
                    // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the SubFormat GUID.
                    if (n < 40) throw Fail(path, AudioErrorReason.Corrupt, "WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes");
                    formatTag = U16(f, 24, bigEndian);
                }
                CheckFormat(path, options, formatTag, channels, sampleRate, blockAlign, bits);
                haveFmt = true;
            }
            else if (name == "ds64" && rf64 && size >= 16)
            {
                StreamBytes.ReadAt(stream, body, ds64);
                ds64Data = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(ds64[8..]), long.MaxValue);
            }
            position = body + size + (size & 1); // chunks are padded to an even length
        }
    }

    private static void CheckFormat(string path, AudioReadOptions options, int tag, int channels, int rate, int blockAlign, int bits)
    {
        var encoding = tag switch
        {
            1 => "PCM",
            3 => "float",
            6 => "A-law",
            7 => "u-law",
            _ => null,
        };
        if (encoding is null)
        {
            var name = tag switch
            {
                2 => "Microsoft ADPCM",
                0x11 => "IMA ADPCM",
                0x31 => "GSM 6.10",
                0x50 => "MPEG audio",
                0x55 => "MP3",
                0x161 or 0x162 or 0x163 => "WMA",
                0x2000 => "AC-3",
                _ => $"format tag 0x{tag:X4}",
            };
            throw Fail(path, AudioErrorReason.Unsupported, $"WAV with {name} data is not supported; convert it to PCM WAV or FLAC");
        }
        if (channels == 0) throw Fail(path, AudioErrorReason.Corrupt, "the WAV header declares 0 channels");
        CheckChannels(path, options, channels);
        CheckRate(path, options, rate);
        var bitsOk = tag switch
        {
            1 => bits is 8 or 16 or 24 or 32,
            3 => bits is 32 or 64,
            _ => bits == 8,
        };
        if (!bitsOk) throw Fail(path, AudioErrorReason.Unsupported, $"{bits}-bit {encoding} WAV is not supported");
        if (blockAlign != channels * (bits / 8))
            throw Fail(path, AudioErrorReason.Corrupt, $"inconsistent WAV header: block align {blockAlign} for {channels} channels of {bits} bits (expected {channels * (bits / 8)})");
    }

    private static Facts Validate(string path, AudioReadOptions options, int channels, int rate, long declared, long available, bool unknown)
    {
        if (declared == 0) throw Fail(path, AudioErrorReason.Empty, "contains no audio (a WAV header with an empty data chunk)");
        if (available < declared && !options.AllowTruncated)
            throw Fail(path, AudioErrorReason.Truncated,
                $"truncated: the header promises {Seconds(declared, rate)} of audio but the file holds {Seconds(available, rate)}; " +
                "the upload or copy was cut off (re-export it, or read it with AllowTruncated)");
        if (available == 0) throw Fail(path, AudioErrorReason.Empty, "contains no audio (header only)");
        CheckLength(path, options, rate, declared);
        return new(channels, rate, declared, available, unknown);
    }

    internal static void CheckChannels(string path, AudioReadOptions options, int channels)
    {
        if (channels > options.MaxChannels)
            throw Fail(path, AudioErrorReason.TooManyChannels, $"{channels} channels is more than the {options.MaxChannels} allowed");
    }

    internal static void CheckRate(string path, AudioReadOptions options, long rate)
    {
        if (rate < options.MinSampleRate || rate > options.MaxSampleRate)
            throw Fail(path, AudioErrorReason.BadSampleRate,
                $"sample rate {rate} Hz is outside the accepted {options.MinSampleRate}..{options.MaxSampleRate} Hz (a damaged header, or resample it first)");
    }

    internal static void CheckLength(string path, AudioReadOptions options, int rate, long frames)
    {
        if (frames > options.MaxFrames(rate))
            throw Fail(path, AudioErrorReason.TooLong,
                $"{Seconds(frames, rate)} of audio is longer than the {options.MaxDuration.TotalMinutes:0.#} minutes allowed");
    }

    /// <summary>"12.5 s", "3:05", "9:18:00": a duration as a person reads it.</summary>
    internal static string Seconds(long frames, int rate)
    {
        var seconds = (double)frames / rate;
        if (seconds < 60) return $"{seconds:0.###} s";
        var whole = (long)seconds;
        return whole < 3600 ? $"{whole / 60}:{whole % 60:00}" : $"{whole / 3600}:{whole / 60 % 60:00}:{whole % 60:00}";
    }

    private static int U16(ReadOnlySpan<byte> data, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);

    private static uint U32(ReadOnlySpan<byte> data, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);

    private static AudioFormatException Fail(string path, AudioErrorReason reason, string problem) => new(path, reason, problem);
}
