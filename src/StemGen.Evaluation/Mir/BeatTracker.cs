namespace StemGen.Evaluation.Mir;

/// <summary>Beats of a clip: times (s), tempo (BPM, from a least-squares fit of the beat times) and beats per bar.</summary>
public sealed record BeatResult(double[] Beats, double Tempo, int BeatsPerBar)
{
    public static BeatResult None { get; } = new([], double.NaN, 0);
    public bool HasBeats => Beats.Length >= 2;
}

/// <summary>
/// Beat tracking by dynamic programming (Ellis 2007, as librosa.beat.beat_track): tempo from the onset
/// envelope's autocorrelation weighted by a log-normal prior (120 BPM, one octave), refined by parabolic
/// interpolation; then the beat sequence maximising onset strength minus
/// tightness (100) x log(interval / period)^2. Leading and trailing beats weaker than half the RMS beat
/// strength are dropped. The reported tempo is 60 / the slope of beat time against beat index, so it is
/// not quantised to frames. Beats per bar: of 2, 3 and 4, the lag with the highest autocorrelation of
/// the beat-synchronous onset strength (4 when 4 comes within 10 % of 2, the common 4/4 case).
/// </summary>
public static class BeatTracker
{
    public const double Tightness = 100;
    public const double PriorBpm = 120;
    public const double MinBpm = 30, MaxBpm = 300;

    public static BeatResult Track(double[] envelope)
    {
        var fps = OnsetStrength.FrameRate;
        if (envelope.Length < fps * 2) return BeatResult.None;
        var std = StandardDeviation(envelope);
        if (std <= 0) return BeatResult.None;
        var onset = envelope.Select(v => v / std).ToArray();
        var period = EstimatePeriod(onset, fps);
        if (double.IsNaN(period)) return BeatResult.None;
        var beats = Dynamic(onset, period);
        if (beats.Length < 2) return BeatResult.None;
        var tempo = 60 * fps / Slope(beats);
        var times = beats.Select(b => b / fps).ToArray();
        return new BeatResult(times, tempo, BeatsPerBar(onset, beats));
    }

    /// <summary>Beat period in frames (fractional), or NaN when the envelope has no periodicity.</summary>
    internal static double EstimatePeriod(double[] onset, double fps)
    {
        var maxLag = (int)Math.Min(onset.Length - 1, Math.Round(60 * fps / MinBpm));
        var minLag = (int)Math.Max(1, Math.Floor(60 * fps / MaxBpm));
        // Smoothed first (Gaussian, 1.5 frames): a sharp click train whose period is not a whole number of
        // frames would otherwise correlate better at twice its period than at its period.
        var smooth = new double[onset.Length];
        for (var i = 0; i < onset.Length; i++)
            for (var k = -4; k <= 4; k++)
                if (i + k >= 0 && i + k < onset.Length) smooth[i] += onset[i + k] * Math.Exp(-0.5 * k * k / (1.5 * 1.5));
        var mean = smooth.Average();
        var centred = smooth.Select(v => v - mean).ToArray();
        var ac = new double[maxLag + 2];
        for (var lag = minLag - 1; lag <= Math.Min(maxLag + 1, onset.Length - 1); lag++)
        {
            if (lag < 0) continue;
            double s = 0;
            for (var i = lag; i < centred.Length; i++) s += centred[i] * centred[i - lag];
            ac[lag] = s; // not divided by the overlap: longer lags lose weight, which breaks double/half-time ties toward the faster tempo
        }
        var priorLag = 60 * fps / PriorBpm;
        var best = -1;
        var bestScore = 0.0;
        for (var lag = minLag; lag <= maxLag; lag++)
        {
            var weight = Math.Exp(-0.5 * Math.Pow(Math.Log2(lag / priorLag), 2));
            var score = weight * ac[lag];
            if (score > bestScore)
            {
                bestScore = score;
                best = lag;
            }
        }
        if (best < 0) return double.NaN;
        if (best > minLag && best < maxLag)
        {
            double a = ac[best - 1], b = ac[best], c = ac[best + 1];
            var denominator = a - 2 * b + c;
            if (denominator < 0) return best + 0.5 * (a - c) / denominator;
        }
        return best;
    }

    /// <summary>Ellis' dynamic programme: beat frames for a period (in frames).</summary>
    internal static int[] Dynamic(double[] onset, double period)
    {
        var n = onset.Length;
        // Local score: onset strength smoothed by a Gaussian of width period / 32 (librosa).
        var radius = (int)Math.Round(period);
        var local = new double[n];
        for (var i = 0; i < n; i++)
        {
            double s = 0;
            for (var k = -radius; k <= radius; k++)
            {
                var j = i + k;
                if (j < 0 || j >= n) continue;
                s += onset[j] * Math.Exp(-0.5 * Math.Pow(k * 32.0 / period, 2));
            }
            local[i] = s;
        }
        var cumulative = new double[n];
        var back = new int[n];
        int lo = (int)Math.Round(period / 2), hi = (int)Math.Round(2 * period);
        for (var i = 0; i < n; i++)
        {
            var best = double.NegativeInfinity;
            var from = -1;
            for (var gap = lo; gap <= hi; gap++)
            {
                var j = i - gap;
                if (j < 0) break;
                var score = cumulative[j] - Tightness * Math.Pow(Math.Log((double)gap / period), 2);
                if (score > best)
                {
                    best = score;
                    from = j;
                }
            }
            cumulative[i] = local[i] + (from >= 0 ? Math.Max(0, best) : 0);
            back[i] = from >= 0 && best > 0 ? from : -1;
        }
        // Last beat: the last local maximum of the cumulative score above half their median.
        var peaks = new List<int>();
        for (var i = 1; i < n - 1; i++)
            if (cumulative[i] > cumulative[i - 1] && cumulative[i] >= cumulative[i + 1]) peaks.Add(i);
        if (peaks.Count == 0) return [];
        var median = peaks.Select(p => cumulative[p]).Order().ElementAt(peaks.Count / 2);
        var last = peaks.Last(p => cumulative[p] >= 0.5 * median);
        var beats = new List<int>();
        for (var b = last; b >= 0; b = back[b]) beats.Add(b);
        beats.Reverse();
        // Trim weak beats at both ends (silence before the music starts or after it stops).
        var strength = beats.Select(b => local[b]).ToArray();
        var threshold = 0.5 * Math.Sqrt(strength.Average(v => v * v));
        int first = 0, end = beats.Count - 1;
        while (first <= end && strength[first] < threshold) first++;
        while (end >= first && strength[end] < threshold) end--;
        return first > end ? [] : beats.GetRange(first, end - first + 1).ToArray();
    }

    internal static int BeatsPerBar(double[] onset, int[] beats)
    {
        if (beats.Length < 8) return 0;
        var strength = beats.Select(b => onset[b]).ToArray();
        var mean = strength.Average();
        double Ac(int lag)
        {
            double s = 0;
            for (var i = lag; i < strength.Length; i++) s += (strength[i] - mean) * (strength[i - lag] - mean);
            return s / (strength.Length - lag);
        }
        double a2 = Ac(2), a3 = Ac(3), a4 = Ac(4);
        if (a3 > a2 && a3 > a4 && a3 > 0) return 3;
        return a4 >= 0.9 * a2 ? 4 : 2;
    }

    private static double Slope(int[] beats)
    {
        var n = beats.Length;
        double mx = (n - 1) / 2.0, my = beats.Average(), sxy = 0, sxx = 0;
        for (var i = 0; i < n; i++)
        {
            sxy += (i - mx) * (beats[i] - my);
            sxx += (i - mx) * (i - mx);
        }
        return sxy / sxx;
    }

    private static double StandardDeviation(double[] x)
    {
        var mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
    }
}
