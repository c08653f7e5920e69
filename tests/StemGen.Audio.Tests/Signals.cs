using System.Buffers.Binary;

namespace StemGen.Audio.Tests;

/// <summary>Synthetic signals with closed-form properties, and measurements against them.</summary>
internal static class Signals
{
    /// <summary>amplitude x sin(2 pi f t + phase), the same on every channel.</summary>
    public static AudioBuffer Sine(double frequency, double amplitude, double seconds, int rate, int channels = 1, double phase = 0)
    {
        var frames = (int)Math.Round(seconds * rate);
        var buffer = new AudioBuffer(channels, frames, rate);
        for (var c = 0; c < channels; c++)
        {
            var channel = buffer.Channel(c);
            for (var i = 0; i < frames; i++) channel[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate + phase));
        }
        return buffer;
    }

    public static AudioBuffer Silence(double seconds, int rate, int channels = 1) => new(channels, (int)Math.Round(seconds * rate), rate);

    /// <summary>Seeded white noise, uniform in [-amplitude, amplitude).</summary>
    public static AudioBuffer Noise(double seconds, int rate, int channels, double amplitude, int seed)
    {
        var random = new Random(seed);
        var buffer = new AudioBuffer(channels, (int)Math.Round(seconds * rate), rate);
        for (var i = 0; i < buffer.Samples.Length; i++) buffer.Samples[i] = (float)((random.NextDouble() * 2 - 1) * amplitude);
        return buffer;
    }

    /// <summary>Random samples that are exact k / 2^(bits-1): PCM at that depth stores them without loss.</summary>
    public static AudioBuffer Quantized(int bits, double seconds, int rate, int channels, int seed)
    {
        var random = new Random(seed);
        var scale = 1 << (bits - 1);
        var buffer = new AudioBuffer(channels, (int)Math.Round(seconds * rate), rate);
        for (var i = 0; i < buffer.Samples.Length; i++) buffer.Samples[i] = random.Next(-scale, scale) / (float)scale;
        // Include both extremes of the range.
        buffer.Samples[0] = -1f;
        buffer.Samples[^1] = (scale - 1) / (float)scale;
        return buffer;
    }

    /// <summary>
    /// Amplitude and phase-free fit of a sinusoid at exactly <paramref name="frequency"/> over
    /// samples [start, end): projecting on sin and cos. A frequency shift makes this collapse.
    /// </summary>
    public static double AmplitudeAt(ReadOnlySpan<float> samples, int rate, double frequency, int start = 0, int? end = null)
    {
        var stop = end ?? samples.Length;
        double s = 0, c = 0;
        for (var i = start; i < stop; i++)
        {
            var angle = 2 * Math.PI * frequency * i / rate;
            s += samples[i] * Math.Sin(angle);
            c += samples[i] * Math.Cos(angle);
        }
        var n = stop - start;
        return 2 * Math.Sqrt(s * s + c * c) / n;
    }

    /// <summary>Frequency from zero crossings (rising) over a span: independent of the projection above.</summary>
    public static double ZeroCrossingFrequency(ReadOnlySpan<float> samples, int rate)
    {
        int first = -1, last = -1, count = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                if (first < 0) first = i;
                last = i;
                count++;
            }
        }
        return (count - 1) * (double)rate / (last - first);
    }

    /// <summary>A PCM WAV header (+ data) built by hand, with every field overridable.</summary>
    public static byte[] Wav(int channels = 1, int rate = 8000, int bits = 16, int formatTag = 1, byte[]? data = null,
        uint? dataSize = null, int? blockAlign = null, string riff = "RIFF", bool bigEndian = false)
    {
        data ??= new byte[rate / 10 * channels * bits / 8];
        var header = new byte[44];
        void U32(int offset, uint value) { if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(offset), value); else BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(offset), value); }
        void U16(int offset, ushort value) { if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(offset), value); else BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(offset), value); }
        System.Text.Encoding.ASCII.GetBytes(riff).CopyTo(header, 0);
        U32(4, (uint)(36 + data.Length));
        "WAVEfmt "u8.ToArray().CopyTo(header, 8);
        U32(16, 16);
        U16(20, (ushort)formatTag);
        U16(22, (ushort)channels);
        U32(24, (uint)rate);
        U32(28, (uint)(rate * channels * bits / 8));
        U16(32, (ushort)(blockAlign ?? channels * bits / 8));
        U16(34, (ushort)bits);
        "data"u8.ToArray().CopyTo(header, 36);
        U32(40, dataSize ?? (uint)data.Length);
        return [.. header, .. data];
    }

    /// <summary>A float WAV whose samples are given exactly (NaN and infinity included).</summary>
    public static byte[] FloatWav(float[] samples, int rate = 8000)
    {
        var data = new byte[samples.Length * 4];
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), samples[i]);
        return Wav(channels: 1, rate: rate, bits: 32, formatTag: 3, data: data);
    }
}

/// <summary>A temp folder per test class, removed afterwards.</summary>
public abstract class TempFolderTests : IDisposable
{
    protected readonly string Folder = Directory.CreateTempSubdirectory("stemgen-audio-tests-").FullName;

    protected string PathOf(string name) => Path.Combine(Folder, name);

    protected string WriteBytes(string name, byte[] bytes)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Files in the folder other than those named: temp files left behind show up here.</summary>
    protected string[] Leftovers(params string[] expected) =>
        Directory.GetFiles(Folder).Select(Path.GetFileName).Where(n => !expected.Contains(n)).ToArray()!;

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
