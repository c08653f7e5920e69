namespace StemGen.Evaluation.Fad;

/// <summary>One point of the FAD-vs-1/n fit.</summary>
public sealed record FadSample(int Count, double Fad);

/// <summary>FAD extrapolated to infinitely many samples: the intercept of a least-squares line FAD = a + b / n.</summary>
public sealed record FadInfinityResult(double FadInfinity, double Slope, double RSquared, IReadOnlyList<FadSample> Samples);

/// <summary>
/// FAD-inf (Chong and Forsyth 2020, as FID-inf; for audio Gui et al. 2024; docs/evaluation-metrics.md): FAD is biased upwards at finite n, roughly
/// linearly in 1/n. Draw the test set at several sizes (25 by default, from <c>minCount</c> to all),
/// compute FAD of each draw against the full reference statistics, fit FAD against 1/n, report the intercept.
/// </summary>
public static class FadInfinity
{
    public static FadInfinityResult Compute(IReadOnlyList<float[]> reference, IReadOnlyList<float[]> test, int sizes = 25, int? minCount = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(sizes, 2);
        var min = minCount ?? Math.Max(2, test.Count / 5);
        if (test.Count < min + sizes - 1 || min < 2)
            throw new ArgumentException($"FAD-inf needs at least {min + sizes - 1} test embeddings for {sizes} sizes from {min} (got {test.Count})");
        var referenceStats = GaussianStatistics.Of(reference);
        var rng = new Random(seed);
        var samples = new List<FadSample>(sizes);
        var pool = test.ToArray();
        for (var i = 0; i < sizes; i++)
        {
            var n = (int)Math.Round(min + (double)(test.Count - min) * i / (sizes - 1));
            rng.Shuffle(pool);
            var subset = pool.Take(n).ToArray();
            samples.Add(new FadSample(n, FrechetDistance.Compute(referenceStats, GaussianStatistics.Of(subset))));
        }
        var (intercept, slope, r2) = FitLine(samples.Select(s => 1.0 / s.Count).ToArray(), samples.Select(s => s.Fad).ToArray());
        return new FadInfinityResult(intercept, slope, r2, samples);
    }

    /// <summary>Ordinary least squares y = a + b x; returns (a, b, R^2).</summary>
    internal static (double Intercept, double Slope, double RSquared) FitLine(double[] x, double[] y)
    {
        var n = x.Length;
        double mx = x.Average(), my = y.Average(), sxx = 0, sxy = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0) throw new ArgumentException("FAD-inf needs at least two different sample sizes");
        var slope = sxy / sxx;
        var r2 = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
        return (my - slope * mx, slope, r2);
    }
}
