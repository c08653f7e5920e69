using MathNet.Numerics.Distributions;

namespace StemGen.Evaluation.Mos;

/// <summary>One rating: who rated which item, on the ACR 1-5 scale (ITU-T P.800).</summary>
public readonly record struct Rating(string Rater, string Item, double Score);

/// <summary>A mean opinion score with a 95 % interval and how it was computed.</summary>
public sealed record MosInterval(double Mean, double Low, double High, double HalfWidth, double DegreesOfFreedom, int Ratings, string Method);

/// <summary>The variance components behind the random-effects interval (ANOVA estimates, clipped at 0).</summary>
public sealed record VarianceComponents(double Rater, double Item, double Residual);

/// <summary>
/// MOS statistics (docs/listening-tests.md).
/// <para><see cref="TInterval"/>: mean ± t(0.975, n-1) s / sqrt(n) over all ratings, treating them as
/// independent (too narrow when raters or items differ systematically).</para>
/// <para><see cref="RandomEffectsInterval"/>: CrowdMOS-style (Ribeiro et al. 2011) two-way crossed
/// random-effects model u_ri = mu + a_r + b_i + e_ri for a complete design (every rater rates every item
/// once). Variance components by the ANOVA method of moments: s2_e = MS_E, s2_a = (MS_R - MS_E) / I,
/// s2_b = (MS_I - MS_E) / R, each clipped at 0; Var(mean) = s2_a / R + s2_b / I + s2_e / (R I); the
/// interval is mean ± t(0.975, df) sqrt(Var) with Satterthwaite's df for that combination of mean squares.</para>
/// </summary>
public static class MosStatistics
{
    public const double Confidence = 0.95;

    public static MosInterval TInterval(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        Check(scores);
        if (scores.Count < 2) throw new ArgumentException($"a t interval needs at least 2 ratings (got {scores.Count})");
        var n = scores.Count;
        var mean = scores.Average();
        var sd = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / (n - 1));
        var half = StudentT.InvCDF(0, 1, n - 1, 0.5 + Confidence / 2) * sd / Math.Sqrt(n);
        return new MosInterval(mean, mean - half, mean + half, half, n - 1, n, "t interval over all ratings (independent)");
    }

    public static MosInterval RandomEffectsInterval(IReadOnlyList<Rating> ratings) => RandomEffects(ratings).Interval;

    /// <summary>The random-effects interval with its variance components.</summary>
    public static (MosInterval Interval, VarianceComponents Components) RandomEffects(IReadOnlyList<Rating> ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        Check(ratings.Select(r => r.Score).ToList());
        var raters = ratings.Select(r => r.Rater).Distinct().ToList();
        var items = ratings.Select(r => r.Item).Distinct().ToList();
        int nr = raters.Count, ni = items.Count;
        if (nr < 2 || ni < 2) throw new ArgumentException($"the random-effects interval needs at least 2 raters and 2 items (got {nr} and {ni})");
        var table = new double[nr, ni];
        var seen = new bool[nr, ni];
        foreach (var r in ratings)
        {
            int a = raters.IndexOf(r.Rater), b = items.IndexOf(r.Item);
            if (seen[a, b]) throw new ArgumentException($"rater '{r.Rater}' rated item '{r.Item}' more than once");
            seen[a, b] = true;
            table[a, b] = r.Score;
        }
        var missing = new List<string>();
        for (var a = 0; a < nr; a++)
            for (var b = 0; b < ni; b++)
                if (!seen[a, b]) missing.Add($"{raters[a]}/{items[b]}");
        if (missing.Count > 0)
            throw new ArgumentException($"the random-effects interval needs a complete design (every rater rates every item); missing {missing.Count}: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")}");

        var grand = ratings.Average(r => r.Score);
        var raterMean = new double[nr];
        var itemMean = new double[ni];
        for (var a = 0; a < nr; a++)
            for (var b = 0; b < ni; b++)
            {
                raterMean[a] += table[a, b] / ni;
                itemMean[b] += table[a, b] / nr;
            }
        double ssR = ni * raterMean.Sum(m => (m - grand) * (m - grand));
        double ssI = nr * itemMean.Sum(m => (m - grand) * (m - grand));
        double ssE = 0;
        for (var a = 0; a < nr; a++)
            for (var b = 0; b < ni; b++)
            {
                var e = table[a, b] - raterMean[a] - itemMean[b] + grand;
                ssE += e * e;
            }
        double dfR = nr - 1, dfI = ni - 1, dfE = (nr - 1) * (ni - 1);
        double msR = ssR / dfR, msI = ssI / dfI, msE = ssE / dfE;
        double kR = msR > msE ? 1 : 0, kI = msI > msE ? 1 : 0; // a clipped component drops out
        var n = (double)nr * ni;
        double cR = kR / n, cI = kI / n, cE = (1 - kR - kI) / n;
        var variance = cR * msR + cI * msI + cE * msE;
        var components = new VarianceComponents(kR * (msR - msE) / ni, kI * (msI - msE) / nr, msE);
        if (variance <= 0)
            return (new MosInterval(grand, grand, grand, 0, double.PositiveInfinity, ratings.Count, "rater/item random effects: no variance"), components);
        var denominator = Sq(cR * msR) / dfR + Sq(cI * msI) / dfI + Sq(cE * msE) / dfE;
        var df = denominator > 0 ? variance * variance / denominator : double.PositiveInfinity;
        var quantile = double.IsPositiveInfinity(df) ? Normal.InvCDF(0, 1, 0.5 + Confidence / 2) : StudentT.InvCDF(0, 1, df, 0.5 + Confidence / 2);
        var half = quantile * Math.Sqrt(variance);
        return (new MosInterval(grand, grand - half, grand + half, half, df, ratings.Count, "rater/item random effects (ANOVA components, Satterthwaite df)"), components);
    }

    private static double Sq(double x) => x * x;

    private static void Check(IReadOnlyList<double> scores)
    {
        for (var i = 0; i < scores.Count; i++)
            if (!double.IsFinite(scores[i]) || scores[i] < 1 || scores[i] > 5)
                throw new ArgumentException($"rating {i} is {scores[i]}: ACR ratings run from 1 (bad) to 5 (excellent)");
    }
}
