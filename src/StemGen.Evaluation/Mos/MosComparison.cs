using MathNet.Numerics.Distributions;

namespace StemGen.Evaluation.Mos;

/// <summary>
/// The difference between two conditions' MOS, paired by rater: each rater who rated both gives
/// d_r = mean_r(A) - mean_r(B), and the interval is mean(d) ± t(0.975, n-1) sd(d) / sqrt(n) over those
/// raters. Pairing removes each rater's own offset (a harsh rater is harsh on both), which the
/// difference of two unpaired intervals would count twice; items enter through each rater's means.
/// </summary>
public static class MosComparison
{
    public static MosInterval PairedByRater(IReadOnlyList<Rating> a, IReadOnlyList<Rating> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var meansB = b.GroupBy(r => r.Rater).ToDictionary(g => g.Key, g => g.Average(r => r.Score));
        var differences = a.GroupBy(r => r.Rater).Where(g => meansB.ContainsKey(g.Key))
            .Select(g => g.Average(r => r.Score) - meansB[g.Key]).ToList();
        var n = differences.Count;
        if (n < 2) throw new ArgumentException($"a paired difference needs at least 2 raters who rated both conditions (got {n})");
        var mean = differences.Average();
        var sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        var half = StudentT.InvCDF(0, 1, n - 1, 0.5 + MosStatistics.Confidence / 2) * sd / Math.Sqrt(n);
        return new MosInterval(mean, mean - half, mean + half, half, n - 1, n, "difference paired by rater (t interval over raters' mean differences)");
    }
}
