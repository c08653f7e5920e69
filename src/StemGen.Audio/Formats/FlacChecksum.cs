using System.Numerics;
using System.Runtime.InteropServices;
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
        if (bytesPerSample == 2 && BitConverter.IsLittleEndian) Pack16(interleaved, MemoryMarshal.Cast<byte, short>(bytes.AsSpan(0, needed)));
        else Pack(interleaved);
        md5.AppendData(bytes, 0, needed);
    }

    /// <summary>The common case, vectorised: samples are exact multiples of 2^-15, so the conversion is exact.</summary>
    private void Pack16(ReadOnlySpan<float> samples, Span<short> destination)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var factor = new Vector<float>(scale);
            var width = Vector<float>.Count;
            for (; i <= samples.Length - 2 * width; i += 2 * width)
            {
                var low = Vector.ConvertToInt32(new Vector<float>(samples[i..]) * factor);
                var high = Vector.ConvertToInt32(new Vector<float>(samples[(i + width)..]) * factor);
                Vector.Narrow(low, high).CopyTo(destination[i..]);
            }
        }
        for (; i < samples.Length; i++) destination[i] = (short)(int)(samples[i] * scale);
    }

    private void Pack(ReadOnlySpan<float> samples)
    {
        var k = 0;
        foreach (var x in samples)
        {
            var v = (int)(x * scale);
            bytes[k++] = (byte)v;
            bytes[k++] = (byte)(v >> 8);
            if (bytesPerSample == 3) bytes[k++] = (byte)(v >> 16);
        }
    }

    public bool Matches(byte[] expected) => md5.GetHashAndReset().AsSpan().SequenceEqual(expected);

    public void Dispose() => md5.Dispose();
}
