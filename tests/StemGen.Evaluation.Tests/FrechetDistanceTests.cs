using MathNet.Numerics.LinearAlgebra;
using StemGen.Evaluation.Fad;

namespace StemGen.Evaluation.Tests;

public class FrechetDistanceTests
{
    private static List<float[]> Gaussian(int n, int d, int seed, double shift = 0)
    {
        var rng = new Random(seed);
        // Correlated: x = A z with a fixed random mixing matrix.
        var mix = new double[d, d];
        var mixRng = new Random(99);
        for (var i = 0; i < d; i++) for (var j = 0; j < d; j++) mix[i, j] = mixRng.NextDouble() - 0.5 + (i == j ? 1 : 0);
        var result = new List<float[]>();
        for (var k = 0; k < n; k++)
        {
            var z = Enumerable.Range(0, d).Select(_ => Normal(rng)).ToArray();
            var x = new float[d];
            for (var i = 0; i < d; i++)
            {
                double s = shift * (i + 1) / d;
                for (var j = 0; j < d; j++) s += mix[i, j] * z[j];
                x[i] = (float)s;
            }
            result.Add(x);
        }
        return result;
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void Identical_sets_are_at_distance_zero()
    {
        var a = Gaussian(300, 8, 1);
        var stats = GaussianStatistics.Of(a);
        Assert.Equal(0, FrechetDistance.Compute(stats, GaussianStatistics.Of(a.Select(x => (float[])x.Clone()).ToList())), 9);
    }

    [Fact]
    public void Shifted_copies_are_at_the_squared_mean_shift()
    {
        var a = Gaussian(400, 6, 2);
        var delta = new[] { 0.5f, -1f, 2f, 0f, 0.25f, 3f };
        var b = a.Select(x => x.Select((v, i) => v + delta[i]).ToArray()).ToList();
        var expected = delta.Sum(v => (double)v * v);
        Assert.Equal(expected, FrechetDistance.Compute(GaussianStatistics.Of(a), GaussianStatistics.Of(b)), 4);
    }

    [Fact]
    public void Diagonal_gaussians_match_the_closed_form()
    {
        double[] va = [1, 4, 9], vb = [4, 1, 16];
        var ca = new double[3, 3];
        var cb = new double[3, 3];
        for (var i = 0; i < 3; i++) { ca[i, i] = va[i]; cb[i, i] = vb[i]; }
        var fd = FrechetDistance.Compute(GaussianStatistics.FromMoments([0, 0, 0], ca, 10), GaussianStatistics.FromMoments([1, 0, 0], cb, 10));
        // |dmu|^2 + sum (sqrt a - sqrt b)^2 = 1 + (1 - 2)^2 + (2 - 1)^2 + (3 - 4)^2
        Assert.Equal(4, fd, 10);
    }

    [Fact]
    public void Covariance_divides_by_n_minus_one()
    {
        var stats = GaussianStatistics.Of([[1f], [2f], [3f], [6f]]);
        Assert.Equal(3, stats.Mean[0], 12);
        Assert.Equal((4 + 1 + 0 + 9) / 3.0, stats.Covariance[0, 0], 12);
    }

    [Fact]
    public void Eigen_route_agrees_with_a_newton_schulz_square_root()
    {
        var a = GaussianStatistics.Of(Gaussian(200, 12, 3));
        var b = GaussianStatistics.Of(Gaussian(150, 12, 4, shift: 1.5).Select(x => x.Select(v => v * 1.3f).ToArray()).ToList());
        var fd = FrechetDistance.Compute(a, b);

        var s1 = Matrix<double>.Build.DenseOfArray(a.Covariance);
        var s2 = Matrix<double>.Build.DenseOfArray(b.Covariance);
        var trace = Trace(NewtonSchulzSqrt(s1 * s2, 200));
        double meanTerm = 0;
        for (var i = 0; i < 12; i++) meanTerm += Math.Pow(a.Mean[i] - b.Mean[i], 2);
        var independent = meanTerm + s1.Trace() + s2.Trace() - 2 * trace;
        Assert.True(Math.Abs(fd - independent) < 1e-6, $"eigen route {fd} vs Newton-Schulz {independent}");
    }

    /// <summary>Coupled Newton-Schulz iteration for the principal square root of a matrix with positive eigenvalues.</summary>
    private static Matrix<double> NewtonSchulzSqrt(Matrix<double> a, int iterations)
    {
        var norm = a.FrobeniusNorm();
        var y = a / norm;
        var z = Matrix<double>.Build.DenseIdentity(a.RowCount);
        var identity = Matrix<double>.Build.DenseIdentity(a.RowCount);
        for (var i = 0; i < iterations; i++)
        {
            var t = 0.5 * (3 * identity - z * y);
            y = y * t;
            z = t * z;
        }
        return y * Math.Sqrt(norm);
    }

    private static double Trace(Matrix<double> m) => m.Diagonal().Sum();

    [Fact]
    public void Fad_infinity_recovers_the_intercept_of_an_exact_line()
    {
        var x = Enumerable.Range(0, 25).Select(i => 1.0 / (50 + 10 * i)).ToArray();
        var y = x.Select(v => 2.5 + 40 * v).ToArray();
        var (intercept, slope, r2) = FadInfinity.FitLine(x, y);
        Assert.Equal(2.5, intercept, 9);
        Assert.Equal(40, slope, 9);
        Assert.Equal(1, r2, 9);
    }

    [Fact]
    public void Fad_infinity_of_one_distribution_is_near_zero_and_below_finite_fad()
    {
        var reference = Gaussian(1500, 4, 5);
        var test = Gaussian(400, 4, 6);
        var result = FadInfinity.Compute(reference, test);
        Assert.Equal(25, result.Samples.Count);
        Assert.True(result.Slope > 0, "FAD of a sample shrinks as it grows");
        Assert.True(Math.Abs(result.FadInfinity) < 0.02, $"FAD-inf {result.FadInfinity}");
        Assert.True(result.FadInfinity < result.Samples[0].Fad);
    }

    [Fact]
    public void Bad_inputs_are_refused_with_the_reason()
    {
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => GaussianStatistics.Of([[1f, 2f]])).Message);
        Assert.Contains("embedding 1 has 1 values", Assert.Throws<ArgumentException>(() => GaussianStatistics.Of([[1f, 2f], [1f]])).Message);
        Assert.Contains("non-finite", Assert.Throws<ArgumentException>(() => GaussianStatistics.Of([[1f], [float.NaN]])).Message);
        Assert.Contains("dimensions differ", Assert.Throws<ArgumentException>(() =>
            FrechetDistance.Compute(GaussianStatistics.Of([[1f], [2f]]), GaussianStatistics.Of([[1f, 1f], [2f, 0f]]))).Message);
    }
}
