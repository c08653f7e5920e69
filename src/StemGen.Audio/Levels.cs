using System.Numerics;
using System.Runtime.InteropServices;

namespace StemGen.Audio;

/// <summary>Sample-level measurements (peak, RMS) and decibel conversions, vectorised where it pays.</summary>
public static class Levels
{
    /// <summary>20 log10(amplitude); negative infinity for zero.</summary>
    public static double ToDecibels(double amplitude) => amplitude <= 0 ? double.NegativeInfinity : 20 * Math.Log10(amplitude);

    public static double FromDecibels(double decibels) => double.IsNegativeInfinity(decibels) ? 0 : Math.Pow(10, decibels / 20);

    /// <summary>Largest absolute value (sample peak, linear).</summary>
    public static float Peak(ReadOnlySpan<float> samples)
    {
        var max = Vector<float>.Zero;
        var i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= Vector<float>.Count)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(samples);
            foreach (var v in vectors) max = Vector.Max(max, Vector.Abs(v));
            i = vectors.Length * Vector<float>.Count;
        }
        var peak = 0f;
        for (var k = 0; k < Vector<float>.Count; k++) peak = Math.Max(peak, max[k]);
        for (; i < samples.Length; i++) peak = Math.Max(peak, Math.Abs(samples[i]));
        return peak;
    }

    /// <summary>Sample peak in dBFS (0 dBFS = 1.0).</summary>
    public static double PeakDecibels(AudioBuffer buffer) => ToDecibels(Peak(buffer.Samples));

    /// <summary>Root mean square over all samples given, accumulated in double.</summary>
    public static double Rms(ReadOnlySpan<float> samples) => samples.IsEmpty ? 0 : Math.Sqrt(SumOfSquares(samples) / samples.Length);

    internal static double SumOfSquares(ReadOnlySpan<float> samples)
    {
        double sum = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= 4 * Vector<float>.Count)
        {
            // Float partial sums over short runs, folded into double: fast and still exact enough for dB.
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(samples);
            for (var start = 0; start < vectors.Length; start += 256)
            {
                var acc = Vector<float>.Zero;
                var end = Math.Min(vectors.Length, start + 256);
                for (var k = start; k < end; k++) acc += vectors[k] * vectors[k];
                sum += Vector.Sum(acc);
            }
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < samples.Length; i++) sum += (double)samples[i] * samples[i];
        return sum;
    }

    /// <summary>Index of the first NaN or infinity, or -1.</summary>
    internal static int FirstNonFinite(ReadOnlySpan<float> samples)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= Vector<float>.Count)
        {
            // x - x is 0 for every finite x and NaN for NaN and +-infinity.
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(samples);
            for (var k = 0; k < vectors.Length; k++)
            {
                var v = vectors[k];
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero))
                {
                    i = k * Vector<float>.Count;
                    break;
                }
                i = (k + 1) * Vector<float>.Count;
            }
        }
        for (; i < samples.Length; i++)
            if (!float.IsFinite(samples[i])) return i;
        return -1;
    }

    internal static void Scale(Span<float> samples, float factor)
    {
        if (factor == 1f) return;
        var i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= Vector<float>.Count)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(samples);
            for (var k = 0; k < vectors.Length; k++) vectors[k] *= factor;
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < samples.Length; i++) samples[i] *= factor;
    }

    /// <summary>destination += source * factor.</summary>
    internal static void AddScaled(ReadOnlySpan<float> source, Span<float> destination, float factor)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<float>.Count)
        {
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination[..source.Length]);
            for (var k = 0; k < s.Length; k++) d[k] += s[k] * factor;
            i = s.Length * Vector<float>.Count;
        }
        for (; i < source.Length; i++) destination[i] += source[i] * factor;
    }
}
