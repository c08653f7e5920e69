using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace StemGen.Data.Tokens;

/// <summary>
/// One token matrix on disk (.sgt), little-endian:
/// <code>
/// offset size
///  0      8  magic "SGTOKEN1"
///  8      4  header bytes (56)
/// 12      4  levels Q
/// 16      4  frames T
/// 20      4  sample rate of the codec
/// 24      4  token frame rate
/// 28      4  reserved (0)
/// 32      8  FNV-1a 64 of the tokenizer identity
/// 40      8  source fingerprint (what audio was encoded)
/// 48      8  FNV-1a 64 of the payload
/// 56  2·Q·T  tokens int16, row-major [Q, T]
/// </code>
/// Reading checks every field and the payload hash; any mismatch reads as "not cached".
/// </summary>
public static class TokenFile
{
    public const string Extension = ".sgt";
    private static readonly byte[] Magic = "SGTOKEN1"u8.ToArray();
    private const int HeaderBytes = 56;

    /// <summary>What a reader expects: a file made by another codec or from other audio is refused.</summary>
    public readonly record struct Expected(ulong IdentityHash, ulong SourceHash, int Levels, int SampleRate, int FrameRate);

    public static void Write(string path, short[,] tokens, Expected expected)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var q = tokens.GetLength(0);
        var t = tokens.GetLength(1);
        var payload = q * t == 0 ? [] : MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref tokens[0, 0], q * t)).ToArray();
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("token files are little-endian");
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), HeaderBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), q);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), t);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), expected.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), expected.FrameRate);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), expected.IdentityHash);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(40), expected.SourceHash);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48), Fnv1a(payload));
        AtomicWrite.Bytes(path, stream =>
        {
            stream.Write(header);
            stream.Write(payload);
        });
    }

    /// <summary>The tokens, or null (with the reason) when the file is missing, damaged, or not what is expected.</summary>
    public static short[,]? TryRead(string path, Expected expected, out string? problem)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                problem = null;
                return null;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return null;
        }
        problem = Check(bytes, expected, out var q, out var t);
        if (problem is not null) return null;
        var tokens = new short[q, t];
        if (q * t > 0) bytes.AsSpan(HeaderBytes, 2 * q * t).CopyTo(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref tokens[0, 0], q * t)));
        return tokens;
    }

    private static string? Check(byte[] bytes, Expected expected, out int q, out int t)
    {
        q = t = 0;
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 8).SequenceEqual(Magic)) return "not a token file";
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)) != HeaderBytes) return "unknown header version";
        q = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        t = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        if (q < 0 || t < 0 || (long)HeaderBytes + 2L * q * t != bytes.Length) return "truncated or padded";
        if (q != expected.Levels) return $"{q} levels, expected {expected.Levels}";
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20)) != expected.SampleRate
            || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)) != expected.FrameRate) return "another codec rate";
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(32)) != expected.IdentityHash) return "another codec";
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40)) != expected.SourceHash) return "the audio changed";
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(48)) != Fnv1a(bytes.AsSpan(HeaderBytes))) return "payload checksum mismatch";
        return null;
    }

    /// <summary>FNV-1a, 64-bit.</summary>
    public static ulong Fnv1a(ReadOnlySpan<byte> data, ulong hash = 0xcbf29ce484222325UL)
    {
        foreach (var b in data)
        {
            hash ^= b;
            hash *= 0x100000001b3UL;
        }
        return hash;
    }

    public static ulong Fnv1a(string text) => Fnv1a(Encoding.UTF8.GetBytes(text));

    /// <summary>Hash of audio samples (for audio that has no file to fingerprint).</summary>
    public static ulong Fnv1a(ReadOnlySpan<float> samples) => Fnv1a(MemoryMarshal.AsBytes(samples));
}
