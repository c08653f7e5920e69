namespace StemGen.Evaluation.Mirdd;

/// <summary>
/// KL divergence of smoothed histograms. Smoothing: p_i = (c_i / N + eps) / (1 + B eps) with
/// eps = <see cref="DefaultEpsilon"/>, so empty bins never give infinities. Direction (documented, used
/// everywhere): KL(reference || test) = sum_i r_i log(r_i / t_i), natural log: it grows when the test
/// population misses what the reference has (mode dropping, wrong keys) and is 0 for identical histograms.
/// </summary>
public static class KlDivergence
{
    public const double DefaultEpsilon = 1e-4;

    public static double[] Smooth(double[] counts, double epsilon = DefaultEpsilon)
    {
        var total = counts.Sum();
        if (total <= 0) throw new ArgumentException("histogram is empty");
        return counts.Select(c => (c / total + epsilon) / (1 + counts.Length * epsilon)).ToArray();
    }

    /// <summary>KL(reference || test) of two count histograms over the same bins.</summary>
    public static double Compute(double[] referenceCounts, double[] testCounts, double epsilon = DefaultEpsilon)
    {
        if (referenceCounts.Length != testCounts.Length) throw new ArgumentException($"histograms have {referenceCounts.Length} and {testCounts.Length} bins");
        var r = Smooth(referenceCounts, epsilon);
        var t = Smooth(testCounts, epsilon);
        double kl = 0;
        for (var i = 0; i < r.Length; i++) kl += r[i] * Math.Log(r[i] / t[i]);
        return Math.Max(0, kl);
    }
}
