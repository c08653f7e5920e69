namespace StemGen.Evaluation.Dsp;

/// <summary>
/// Radix-2 FFT for the analysis front ends (VGGish log-mel, chroma, onset strength). Plain C# so the
/// descriptors need no libtorch; one instance per size caches the twiddles and bit reversal.
/// </summary>
public sealed class Fft
{
    private readonly int[] reversed;
    private readonly double[] cos, sin;

    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be a power of two >= 2");
        Size = size;
        var bits = System.Numerics.BitOperations.Log2((uint)size);
        reversed = new int[size];
        for (var i = 0; i < size; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            reversed[i] = r;
        }
        cos = new double[size / 2];
        sin = new double[size / 2];
        for (var k = 0; k < size / 2; k++)
        {
            cos[k] = Math.Cos(2 * Math.PI * k / size);
            sin[k] = -Math.Sin(2 * Math.PI * k / size);
        }
    }

    public int Size { get; }

    /// <summary>Number of one-sided bins: Size / 2 + 1.</summary>
    public int Bins => Size / 2 + 1;

    /// <summary>In-place forward transform of (re, im), both of length Size.</summary>
    public void Forward(Span<double> re, Span<double> im)
    {
        var n = Size;
        for (var i = 0; i < n; i++)
        {
            var j = reversed[i];
            if (j > i)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        for (var len = 2; len <= n; len <<= 1)
        {
            var half = len >> 1;
            var step = n / len;
            for (var start = 0; start < n; start += len)
                for (var k = 0; k < half; k++)
                {
                    double wr = cos[k * step], wi = sin[k * step];
                    int a = start + k, b = a + half;
                    var tr = re[b] * wr - im[b] * wi;
                    var ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
        }
    }

    /// <summary>
    /// |FFT| of a real frame (zero-padded to Size) into <paramref name="magnitude"/> (length Bins).
    /// <paramref name="scratchRe"/>/<paramref name="scratchIm"/> have length Size.
    /// </summary>
    public void Magnitude(ReadOnlySpan<double> frame, Span<double> magnitude, Span<double> scratchRe, Span<double> scratchIm)
    {
        if (frame.Length > Size) throw new ArgumentException($"frame of {frame.Length} samples is longer than the FFT size {Size}");
        scratchRe.Clear();
        scratchIm.Clear();
        frame.CopyTo(scratchRe);
        Forward(scratchRe, scratchIm);
        for (var k = 0; k < Bins; k++) magnitude[k] = Math.Sqrt(scratchRe[k] * scratchRe[k] + scratchIm[k] * scratchIm[k]);
    }
}
