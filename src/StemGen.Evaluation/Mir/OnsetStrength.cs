using StemGen.Evaluation.Dsp;
using StemGen.Evaluation.Fad;

namespace StemGen.Evaluation.Mir;

/// <summary>
/// Onset strength and onsets (librosa-style): log-power mel spectrogram (64 bands, 30 Hz-11 kHz, 80 dB
/// range), positive first difference averaged over bands; onsets are peaks of the envelope
/// normalised to [0, 1] that beat their ±35 ms neighbourhood and the ±116 ms mean by 0.07, at least
/// 58 ms apart.
/// </summary>
public static class OnsetStrength
{
    public static double FrameRate => AnalysisSettings.OnsetFrameRate;

    private static readonly Lazy<double[,]> Filterbank = new(() =>
        VggishFrontEnd.MelMatrix(AnalysisSettings.OnsetMelBands, AnalysisSettings.OnsetFft / 2 + 1, AnalysisSettings.SampleRate, 30, AnalysisSettings.SampleRate / 2.0));
    private static readonly Lazy<(int Low, int High)[]> Ranges = new(() => VggishFrontEnd.BandRanges(Filterbank.Value));

    /// <summary>The onset envelope of a mono signal at <see cref="AnalysisSettings.SampleRate"/>, one value per hop.</summary>
    public static double[] Envelope(float[] mono)
    {
        const int n = AnalysisSettings.OnsetFft, bands = AnalysisSettings.OnsetMelBands;
        var magnitude = Spectrogram.Magnitude(mono, Spectrogram.PeriodicHann(n), AnalysisSettings.OnsetHop, n, center: true);
        if (magnitude.Length == 0) return [];
        var mel = Filterbank.Value;
        var bandRanges = Ranges.Value;
        var db = new double[magnitude.Length][];
        var top = double.NegativeInfinity;
        for (var f = 0; f < magnitude.Length; f++)
        {
            db[f] = new double[bands];
            for (var b = 0; b < bands; b++)
            {
                double power = 0;
                var m = magnitude[f];
                for (var k = bandRanges[b].Low; k <= bandRanges[b].High; k++) power += mel[k, b] * m[k] * m[k];
                db[f][b] = 10 * Math.Log10(Math.Max(power, 1e-10));
                top = Math.Max(top, db[f][b]);
            }
        }
        // A sound entering a frame's window already raises its dB level (the 80 dB range makes even the
        // Hann tail count), so flux peaks about half a window early; shift by n_fft / (2 hop) frames as librosa does.
        const int latency = n / (2 * AnalysisSettings.OnsetHop);
        var envelope = new double[magnitude.Length];
        for (var f = 1; f + latency < magnitude.Length; f++)
        {
            double sum = 0;
            for (var b = 0; b < bands; b++)
                sum += Math.Max(0, Math.Max(db[f][b], top - 80) - Math.Max(db[f - 1][b], top - 80));
            envelope[f + latency] = sum / bands;
        }
        return envelope;
    }

    /// <summary>Onset frames picked from an envelope.</summary>
    public static int[] PickPeaks(double[] envelope)
    {
        if (envelope.Length == 0) return [];
        var max = envelope.Max();
        if (max <= 0) return [];
        var x = envelope.Select(v => v / max).ToArray();
        const int preMax = 3, postMax = 3, preAvg = 10, postAvg = 10, wait = 5;
        const double delta = 0.07;
        var onsets = new List<int>();
        var last = -wait - 1;
        for (var i = 0; i < x.Length; i++)
        {
            var isMax = true;
            for (var j = Math.Max(0, i - preMax); j <= Math.Min(x.Length - 1, i + postMax) && isMax; j++)
                if (x[j] > x[i]) isMax = false;
            if (!isMax) continue;
            double sum = 0;
            int lo = Math.Max(0, i - preAvg), hi = Math.Min(x.Length - 1, i + postAvg);
            for (var j = lo; j <= hi; j++) sum += x[j];
            if (x[i] < sum / (hi - lo + 1) + delta) continue;
            if (i - last <= wait) continue;
            onsets.Add(i);
            last = i;
        }
        return [.. onsets];
    }

    /// <summary>Onset times in seconds of a mono signal at <see cref="AnalysisSettings.SampleRate"/>.</summary>
    public static double[] Onsets(double[] envelope) => PickPeaks(envelope).Select(f => f / FrameRate).ToArray();

    /// <summary>Most onsets inside any window of <paramref name="windowSeconds"/> (the paper's percussive density, 0.6 s).</summary>
    public static int MaxDensity(IReadOnlyList<double> onsetTimes, double windowSeconds = 0.6)
    {
        var best = 0;
        var first = 0;
        for (var last = 0; last < onsetTimes.Count; last++)
        {
            while (onsetTimes[last] - onsetTimes[first] >= windowSeconds) first++;
            best = Math.Max(best, last - first + 1);
        }
        return best;
    }
}
