namespace StemGen.Evaluation.Mir;

/// <summary>
/// Key by Krumhansl-Kessler (Krumhansl 1990; docs/evaluation-metrics.md): Pearson correlation of the clip's
/// pitch-class profile with the 12 rotations of the major and of the minor profile; the best of 24 wins.
/// </summary>
public static class KeyEstimator
{
    public static readonly double[] MajorProfile = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
    public static readonly double[] MinorProfile = [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

    /// <summary>The key of a pitch-class profile, or null when the profile is silent or flat.</summary>
    public static Key? Estimate(double[] profile) => Scores(profile) is { } scores ? Key.FromIndex(ArgMax(scores)) : null;

    public static Key? Estimate(Chroma chroma) => Estimate(chroma.Profile());

    /// <summary>Correlation with each of the 24 keys (index as <see cref="Key.Index"/>), or null for a flat profile.</summary>
    public static double[]? Scores(double[] profile)
    {
        if (profile.Length != 12) throw new ArgumentException("a pitch-class profile has 12 values", nameof(profile));
        var mean = profile.Average();
        if (profile.All(v => Math.Abs(v - mean) <= 1e-12 * Math.Max(1, Math.Abs(mean)))) return null;
        var scores = new double[24];
        for (var tonic = 0; tonic < 12; tonic++)
        {
            scores[tonic] = Correlation(profile, MajorProfile, tonic);
            scores[tonic + 12] = Correlation(profile, MinorProfile, tonic);
        }
        return scores;
    }

    private static double Correlation(double[] x, double[] template, int tonic)
    {
        double mx = x.Average(), mt = template.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var pc = 0; pc < 12; pc++)
        {
            double a = x[pc] - mx, b = template[((pc - tonic) % 12 + 12) % 12] - mt;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    internal static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
