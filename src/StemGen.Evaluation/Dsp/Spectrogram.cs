namespace StemGen.Evaluation.Dsp;

/// <summary>Magnitude spectrogram [frames][bins] of a mono signal, frames laid out like the VGGish / librosa framing rules.</summary>
public static class Spectrogram
{
    /// <summary>Periodic Hann window: 0.5 - 0.5 cos(2 pi n / N) (the VGGish and librosa window).</summary>
    public static double[] PeriodicHann(int length)
    {
        var w = new double[length];
        for (var n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / length);
        return w;
    }

    /// <summary>
    /// Frames of <paramref name="window"/>.Length samples every <paramref name="hop"/> samples, windowed and
    /// transformed with an FFT of <paramref name="fftSize"/>. No padding: 1 + (L - W) / hop frames (the
    /// VGGish rule); <paramref name="center"/> pads W/2 zeros on both sides first (the librosa rule).
    /// </summary>
    public static double[][] Magnitude(ReadOnlySpan<float> signal, double[] window, int hop, int fftSize, bool center = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hop, 1);
        var w = window.Length;
        var pad = center ? w / 2 : 0;
        var length = signal.Length + 2 * pad;
        if (length < w) return [];
        var frames = 1 + (length - w) / hop;
        var fft = new Fft(fftSize);
        var result = new double[frames][];
        var frame = new double[w];
        var re = new double[fftSize];
        var im = new double[fftSize];
        for (var f = 0; f < frames; f++)
        {
            var start = f * hop - pad;
            for (var n = 0; n < w; n++)
            {
                var i = start + n;
                frame[n] = i >= 0 && i < signal.Length ? signal[i] * window[n] : 0;
            }
            result[f] = new double[fft.Bins];
            fft.Magnitude(frame, result[f], re, im);
        }
        return result;
    }
}
