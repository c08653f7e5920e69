using System.Buffers.Binary;
using System.Text;

namespace StemGen.Audio.Formats;

/// <summary>
/// Decides the container from the first bytes, before libsndfile sees the file: mislabelled,
/// unsupported and non-audio files get a precise message ("this is a MIDI file"), and libsndfile
/// only ever parses containers StemGen supports.
/// </summary>
internal static class ContentSniffer
{
    private const int HeadBytes = 64;

    /// <summary>What the bytes are: a supported container, a known unsupported format, or nothing recognised.</summary>
    internal readonly record struct Verdict(AudioContainer? Container, string? KnownUnsupported);

    public static Verdict Detect(Stream stream)
    {
        Span<byte> head = stackalloc byte[HeadBytes];
        var n = StreamBytes.ReadAt(stream, 0, head);
        head = head[..n];
        if (Starts(head, "RIFF") || Starts(head, "RIFX") || Starts(head, "RF64"))
        {
            if (head.Length >= 12 && Equal(head[8..12], "WAVE")) return new(AudioContainer.Wav, null);
            if (head.Length >= 12 && Equal(head[8..12], "RMID")) return new(null, "a RIFF MIDI file (not audio)");
            if (head.Length >= 12 && Equal(head[8..12], "AVI ")) return new(null, "an AVI video");
            if (head.Length >= 12 && Equal(head[8..12], "WEBP")) return new(null, "a WebP image");
            return new(null, null);
        }
        if (Starts(head, "fLaC")) return new(AudioContainer.Flac, null);
        if (Starts(head, "OggS")) return Ogg(head);
        if (Starts(head, "ID3"))
        {
            // An ID3v2 tag (MP3, sometimes prepended to FLAC): size is 4 syncsafe bytes, plus a footer if flagged.
            if (head.Length < 10) return new(null, null);
            var size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F);
            var after = 10L + size + ((head[5] & 0x10) != 0 ? 10 : 0);
            Span<byte> next = stackalloc byte[4];
            if (StreamBytes.ReadAt(stream, after, next) < 4) return new(AudioContainer.Mp3, null); // tag only: libsndfile decides
            if (Starts(next, "fLaC")) return new(AudioContainer.Flac, null);
            return new(AudioContainer.Mp3, null);
        }
        if (IsMpegFrameHeader(head))
        {
            // Layer bits 01 are layer III (MP3); layers I and II decode through mpg123 too but are untested here.
            return ((head[1] >> 1) & 3) == 1 ? new(AudioContainer.Mp3, null) : new(null, "an MPEG audio layer I/II (MP2) stream");
        }
        if (Starts(head, "FORM") && head.Length >= 12 && (Equal(head[8..12], "AIFF") || Equal(head[8..12], "AIFC")))
            return new(null, "an AIFF file");
        if (Starts(head, ".snd")) return new(null, "a Sun/NeXT AU file");
        if (Starts(head, "caff")) return new(null, "a Core Audio (CAF) file");
        if (Starts(head, "MThd")) return new(null, "a MIDI file (not audio)");
        if (Starts(head, "wvpk")) return new(null, "a WavPack file");
        if (Starts(head, "MAC ")) return new(null, "a Monkey's Audio file");
        if (head.Length >= 8 && Equal(head[4..8], "ftyp")) return new(null, "an MP4/M4A file (AAC or ALAC)");
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xF6) == 0xF0) return new(null, "an ADTS AAC stream");
        return new(null, null);
    }

    private static Verdict Ogg(ReadOnlySpan<byte> head)
    {
        // Page header is 27 bytes plus a segment table; the first packet names the codec.
        if (head.Length < 28) return new(AudioContainer.OggVorbis, null); // too short to tell: libsndfile reports it
        var packet = 27 + head[26];
        if (packet >= head.Length) return new(AudioContainer.OggVorbis, null);
        var body = head[packet..];
        if (Starts(body, "OpusHead")) return new(AudioContainer.OggOpus, null);
        if (body.Length >= 7 && body[0] == 1 && Equal(body[1..7], "vorbis")) return new(AudioContainer.OggVorbis, null);
        if (body.Length >= 5 && body[0] == 0x7F && Equal(body[1..5], "FLAC")) return new(null, "an Ogg FLAC stream");
        if (Starts(body, "Speex")) return new(null, "an Ogg Speex stream");
        if (body.Length >= 7 && body[0] == 0x80 && Equal(body[1..7], "theora")) return new(null, "an Ogg Theora video");
        return new(null, "an Ogg stream with an unknown codec");
    }

    /// <summary>An MPEG audio frame header: sync, a defined version and layer, a usable bitrate and rate index.</summary>
    private static bool IsMpegFrameHeader(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0
        && ((head[1] >> 3) & 3) != 1 && ((head[1] >> 1) & 3) != 0
        && (head[2] >> 4) != 15 && (head[2] >> 4) != 0 && ((head[2] >> 2) & 3) != 3;

    private static bool Starts(ReadOnlySpan<byte> data, string ascii) => data.Length >= ascii.Length && Equal(data[..ascii.Length], ascii);

    private static bool Equal(ReadOnlySpan<byte> data, string ascii)
    {
        if (data.Length != ascii.Length) return false;
        for (var i = 0; i < data.Length; i++)
            if (data[i] != ascii[i]) return false;
        return true;
    }

    internal static string FourCC(uint littleEndianId)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, littleEndianId);
        var text = new StringBuilder(4);
        foreach (var b in bytes) text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        return text.ToString();
    }
}

/// <summary>Positioned reads that tolerate short files.</summary>
internal static class StreamBytes
{
    /// <summary>Reads up to buffer.Length bytes at offset; returns how many there were.</summary>
    public static int ReadAt(Stream stream, long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset >= stream.Length) return 0;
        stream.Position = offset;
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
