using StemGen.Evaluation.Fad;
using Xunit.Abstractions;

namespace StemGen.Evaluation.Tests;

public class KernelAudioDistanceTests(ITestOutputHelper output)
{
    // The two populations of the known-answer tests: x ~ N(0, S1^2 I_4), y ~ N(Shift e_1, S2^2 I_4).
    private const int D = 4;
    private const double S1 = 1, S2 = 1.3, Shift = 0.6, H = 2;

    private static List<float[]> Isotropic(Random rng, int n, int d, double sigma, double shift = 0) =>
        Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(j => (float)((j == 0 ? shift : 0) + sigma * Normal(rng))).ToArray()).ToList();

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// Population MMD^2 for the Gaussian kernel between isotropic Gaussians:
    /// E k(x,y) = (h^2 / (h^2 + s1^2 + s2^2))^(d/2) exp(-|m1 - m2|^2 / (2 (h^2 + s1^2 + s2^2))), E k(x,x') = (h^2 / (h^2 + 2 s1^2))^(d/2).
    /// </summary>
    private static double ClosedFormMmd2(double h, int d, double s1, double s2, double shiftSquared)
    {
        double h2 = h * h, c = h2 + s1 * s1 + s2 * s2;
        var kxx = Math.Pow(h2 / (h2 + 2 * s1 * s1), d / 2.0);
        var kyy = Math.Pow(h2 / (h2 + 2 * s2 * s2), d / 2.0);
        var kxy = Math.Pow(h2 / c, d / 2.0) * Math.Exp(-shiftSquared / (2 * c));
        return kxx + kyy - 2 * kxy;
    }

    /// <summary>The biased V-statistic from the same kernel means: the diagonal k(x_i, x_i) = 1 put back in.</summary>
    private static double VStatistic(KadResult r) =>
        (r.ReferenceCount - 1.0) / r.ReferenceCount * r.MeanWithinReference + 1.0 / r.ReferenceCount
        + (r.TestCount - 1.0) / r.TestCount * r.MeanWithinTest + 1.0 / r.TestCount - 2 * r.MeanCross;

    private static (double Mean, double StandardError) MeanAndError(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, Math.Sqrt(variance / values.Count));
    }

    [Fact]
    public void Three_plus_three_points_in_one_dimension_match_the_hand_computation()
    {
        List<float[]> x = [[0f], [1f], [2f]], y = [[0.5f], [1.5f], [3f]];
        // h = 1: k = exp(-dist^2 / 2). Within x: distances 1, 2, 1; within y: 1, 2.5, 1.5;
        // across: 0.5 1.5 3 / 0.5 0.5 2 / 1.5 0.5 1.
        var kxx = (2 * Math.Exp(-0.5) + Math.Exp(-2)) / 3;
        var kyy = (Math.Exp(-0.5) + Math.Exp(-3.125) + Math.Exp(-1.125)) / 3;
        var kxy = (4 * Math.Exp(-0.125) + 2 * Math.Exp(-1.125) + Math.Exp(-4.5) + Math.Exp(-2) + Math.Exp(-0.5)) / 9;
        var kad = KernelAudioDistance.Compute(x, y, bandwidth: 1);
        Assert.Equal(kxx, kad.MeanWithinReference, 14);
        Assert.Equal(kyy, kad.MeanWithinTest, 14);
        Assert.Equal(kxy, kad.MeanCross, 14);
        Assert.Equal(kxx + kyy - 2 * kxy, kad.Mmd2, 14);
        Assert.Equal(1000 * kad.Mmd2, kad.KadTimes1000, 11);
        Assert.Equal(1, kad.Bandwidth);
        Assert.Equal("given", kad.BandwidthRule);
        Assert.Equal(3, kad.ReferenceCount);
    }

    [Fact]
    public void Median_heuristic_is_the_median_of_the_pooled_pairwise_distances()
    {
        // Pooled {0, 0.5, 1, 1.5, 2, 3}: 15 distances, 0.5 x4, 1 x4, 1.5 x3, 2 x2, 2.5, 3; the 8th is 1.
        List<float[]> x = [[0f], [1f], [2f]], y = [[0.5f], [1.5f], [3f]];
        var pooled = KernelAudioDistance.Compute(x, y);
        Assert.Equal(1, pooled.Bandwidth, 14);
        Assert.Equal(KernelAudioDistance.Compute(x, y, bandwidth: 1).Mmd2, pooled.Mmd2, 14);
        Assert.Contains("median", pooled.BandwidthRule);
        // Even count: {0, 1, 3, 7} gives 1, 2, 3, 4, 6, 7, median (3 + 4) / 2.
        Assert.Equal(3.5, KernelAudioDistance.MedianBandwidth([[0f], [1f], [3f], [7f]]), 14);
        // Euclidean distances, not squared: (0,0), (3,4), (6,8) are 5, 5 and 10 apart.
        Assert.Equal(5, KernelAudioDistance.MedianBandwidth([[0f, 0f], [3f, 4f], [6f, 8f]]), 12);
    }

    [Fact]
    public void A_set_against_its_own_copy_is_slightly_negative_by_exactly_two_over_n_of_one_minus_the_kernel_mean()
    {
        var x = Isotropic(new Random(1), 300, D, S1);
        var kad = KernelAudioDistance.Compute(x, x.Select(v => (float[])v.Clone()).ToList(), H);
        // The cross mean includes the n diagonal pairs at k = 1 that the within means exclude.
        Assert.Equal(-2 * (1 - kad.MeanWithinReference) / 300, kad.Mmd2, 12);
        Assert.True(kad.Mmd2 < 0);
    }

    [Fact]
    public void Two_draws_from_one_distribution_average_to_zero()
    {
        var rng = new Random(2);
        var values = Enumerable.Range(0, 120).Select(_ => KernelAudioDistance.Compute(Isotropic(rng, 60, D, S1), Isotropic(rng, 60, D, S1)).Mmd2).ToList();
        var (mean, se) = MeanAndError(values);
        output.WriteLine($"same distribution, n = 60, median h: mean MMD^2 {mean:E3} +- {se:E3}, min {values.Min():E3}");
        Assert.True(Math.Abs(mean) < 4 * se, $"mean {mean} vs standard error {se}");
        Assert.Contains(values, v => v < 0);
        Assert.True(values.Max() < 0.05, $"largest {values.Max()}");
    }

    [Fact]
    public void Large_samples_of_isotropic_gaussians_match_the_closed_form()
    {
        var truth = ClosedFormMmd2(H, D, S1, S2, Shift * Shift);
        var rng = new Random(3);
        var x = Isotropic(rng, 2000, D, S1);
        var y = Isotropic(rng, 2000, D, S2, Shift);
        var kad = KernelAudioDistance.Compute(x, y, H);
        // Standard error from 10 disjoint blocks of 200: the block estimates use a subset of the pairs, so
        // their spread over-states the full estimate's error (a conservative tolerance).
        var blocks = Enumerable.Range(0, 10).Select(b => KernelAudioDistance.Compute(x.Skip(200 * b).Take(200).ToList(), y.Skip(200 * b).Take(200).ToList(), H).Mmd2).ToList();
        var blockError = MeanAndError(blocks).StandardError;
        var fad = FrechetDistance.Compute(GaussianStatistics.Of(x), GaussianStatistics.Of(y));
        output.WriteLine($"n = 2000: MMD^2 {kad.Mmd2:0.00000} (closed form {truth:0.00000}, block SE {blockError:0.00000}); FAD {fad:0.0000} (closed form {FadTruth:0.0000})");
        Assert.True(Math.Abs(kad.Mmd2 - truth) < 3 * blockError, $"{kad.Mmd2} vs {truth}, block standard error {blockError}");
        Assert.True(Math.Abs(kad.Mmd2 - truth) < 0.05 * truth, $"{kad.Mmd2} vs {truth}");
    }

    // FD between the two Gaussians: |m1 - m2|^2 + d (s1 - s2)^2.
    private static readonly double FadTruth = Shift * Shift + D * (S1 - S2) * (S1 - S2);

    [Fact]
    public void At_small_n_the_estimate_is_unbiased_while_the_v_statistic_and_fad_are_not()
    {
        var truth = ClosedFormMmd2(H, D, S1, S2, Shift * Shift);
        var rng = new Random(4);
        const int draws = 3000, n = 12, m = 16;
        var u = new double[draws];
        var v = new double[draws];
        var fad = new double[draws];
        for (var r = 0; r < draws; r++)
        {
            var x = Isotropic(rng, n, D, S1);
            var y = Isotropic(rng, m, D, S2, Shift);
            var kad = KernelAudioDistance.Compute(x, y, H);
            u[r] = kad.Mmd2;
            v[r] = VStatistic(kad);
            fad[r] = FrechetDistance.Compute(GaussianStatistics.Of(x), GaussianStatistics.Of(y));
        }
        var (uMean, uError) = MeanAndError(u);
        var (vMean, vError) = MeanAndError(v);
        var (fadMean, fadError) = MeanAndError(fad);
        output.WriteLine($"n = {n}/{m}, {draws} draws: MMD^2 U {uMean:0.00000} +- {uError:0.00000}, V {vMean:0.00000} +- {vError:0.00000}, closed form {truth:0.00000}");
        output.WriteLine($"   KAD x1000 {1000 * uMean:0.00} vs {1000 * truth:0.00}; FAD {fadMean:0.000} +- {fadError:0.000} vs closed form {FadTruth:0.000}");
        Assert.True(Math.Abs(uMean - truth) < 4 * uError, $"U mean {uMean} vs {truth} (SE {uError})");
        Assert.True(vMean - truth > 20 * vError, $"V mean {vMean} vs {truth} (SE {vError})");
        Assert.True(fadMean - FadTruth > 20 * fadError, $"FAD mean {fadMean} vs {FadTruth} (SE {fadError})");
        // Relative bias: KAD's is within its noise, FAD's is a multiple of the value itself.
        Assert.True(Math.Abs(uMean / truth - 1) < 0.05);
        Assert.True(fadMean / FadTruth > 1.5, $"FAD {fadMean} vs {FadTruth}");
    }

    [Fact]
    public void Norm_expansion_agrees_with_direct_differences_at_vggish_dimension()
    {
        // Offset means make |x|^2 large against |x - y|^2: the expansion's cancellation in float64.
        var rng = new Random(5);
        var x = Isotropic(rng, 60, 128, 1).Select(e => e.Select(v => v + 40f).ToArray()).ToList();
        var y = Isotropic(rng, 50, 128, 1.2).Select(e => e.Select(v => v + 40.1f).ToArray()).ToList();
        const double h = 15;
        double Kernel(float[] a, float[] b)
        {
            double s = 0;
            for (var j = 0; j < a.Length; j++) s += ((double)a[j] - b[j]) * ((double)a[j] - b[j]);
            return Math.Exp(-s / (2 * h * h));
        }
        double Within(List<float[]> s) =>
            Enumerable.Range(0, s.Count).Sum(i => Enumerable.Range(0, s.Count).Where(j => j != i).Sum(j => Kernel(s[i], s[j]))) / (s.Count * (s.Count - 1.0));
        var cross = x.Sum(a => y.Sum(b => Kernel(a, b))) / (x.Count * (double)y.Count);
        var direct = Within(x) + Within(y) - 2 * cross;
        var kad = KernelAudioDistance.Compute(x, y, h);
        Assert.True(Math.Abs(kad.Mmd2 - direct) < 1e-10, $"{kad.Mmd2} vs direct {direct}");
        Assert.True(direct > 0);
    }

    [Fact]
    public void Bad_inputs_are_refused_with_the_reason()
    {
        List<float[]> two = [[1f, 2f], [3f, 4f]];
        Assert.Contains("at least 2 embeddings", Assert.Throws<ArgumentException>(() => KernelAudioDistance.Compute([[1f, 2f]], two)).Message);
        Assert.Contains("at least 2 embeddings", Assert.Throws<ArgumentException>(() => KernelAudioDistance.Compute(two, [])).Message);
        Assert.Contains("dimensions differ", Assert.Throws<ArgumentException>(() => KernelAudioDistance.Compute(two, [[1f], [2f]])).Message);
        Assert.Contains("embedding 1 has 1 values", Assert.Throws<ArgumentException>(() => KernelAudioDistance.Compute(two, [[1f, 2f], [1f]])).Message);
        Assert.Contains("non-finite", Assert.Throws<ArgumentException>(() => KernelAudioDistance.Compute(two, [[1f, 2f], [float.PositiveInfinity, 0f]])).Message);
        Assert.Contains("non-finite", Assert.Throws<ArgumentException>(() => KernelAudioDistance.Compute([[float.NaN, 2f], [1f, 1f]], two)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelAudioDistance.Compute(two, two, bandwidth: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelAudioDistance.Compute(two, two, bandwidth: double.NaN));
        List<float[]> same = [[1f, 1f], [1f, 1f], [1f, 1f]];
        Assert.Contains("give the KAD bandwidth", Assert.Throws<ArgumentException>(() => KernelAudioDistance.Compute(same, [[1f, 1f], [1f, 1f]])).Message);
        Assert.Equal(0, KernelAudioDistance.Compute(same, [[1f, 1f], [1f, 1f]], bandwidth: 1).Mmd2, 14);
    }
}
