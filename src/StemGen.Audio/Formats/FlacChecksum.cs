using System.Security.Cryptography;

namespace StemGen.Audio.Formats;

/// <summary>
/// The MD5 that FLAC stores in STREAMINFO, recomputed from decoded samples (interleaved, signed
/// little-endian, ceil(bits/8) bytes each). libFLAC conceals damaged frames with silence, so a
/// checksum mismatch is how a bit-flipped FLAC file shows itself.
/// </summary>
internal sealed class FlacChecksum : IDisposable
{
    private readonly IncrementalHash md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly int bytesPerSample;
    private readonly float scale;
    private byte[] bytes = new byte[4096 * 3];

    private FlacChecksum(int bitsPerSample)
    {
        bytesPerSample = bitsPerSample / 8;
        scale = 1 << (bitsPerSample - 1);
    }

    /// <summary>Only 16- and 24-bit: there float32 samples map back to the stored integers exactly.</summary>
    public static FlacChecksum? For(FlacHeader.StreamInfo info) =>
        info.HasMd5 && info.BitsPerSample is 16 or 24 ? new FlacChecksum(info.BitsPerSample) : null;

    public void Append(ReadOnlySpan<float> interleaved)
    {
        var needed = interleaved.Length * bytesPerSample;
        if (bytes.Length < needed) bytes = new byte[needed];
        var k = 0;
        if (bytesPerSample == 2)
        {
            foreach (var x in interleaved)
            {
                var v = (int)(x * scale);
                bytes[k++] = (byte)v;
                bytes[k++] = (byte)(v >> 8);
            }
        }
        else
        {
            foreach (var x in interleaved)
            {
                var v = (int)(x * scale);
                bytes[k++] = (byte)v;
                bytes[k++] = (byte)(v >> 8);
                bytes[k++] = (byte)(v >> 16);
            }
        }
        md5.AppendData(bytes, 0, needed);
    }

    public bool Matches(byte[] expected) => md5.GetHashAndReset().AsSpan().SequenceEqual(expected);

    public void Dispose() => md5.Dispose();
}
