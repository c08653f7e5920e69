using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class RandomTests
{
    private const int N = 100_000;

    private static (double Mean, double Variance) Moments(double[] v)
    {
        var mean = v.Average();
        var variance = v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1);
        return (mean, variance);
    }

    [Fact]
    public void Gumbel_is_gumbel_from_uniform_of_the_same_draws_row_by_row()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        var whole = Tensors.Gumbel([37, 64], g1);
        var rows = Tensor.FromArray(new long[] { 36, 0, 5, 17 }, 4);
        var some = Tensors.GumbelFromUniform(Tensors.Rand([37, 64], g2).IndexSelect(0, rows));
        Assert.Equal(whole.IndexSelect(0, rows).ToArray<float>(), some.ToArray<float>());
        Assert.Equal(Tensors.Gumbel([5], g1).ToArray<float>(), Tensors.Gumbel([5], g2).ToArray<float>()); // streams still in step
    }

    [Fact]
    public void Rand_is_uniform_on_zero_one()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(1);
        var v = Values(Tensors.Rand([N], g));
        Assert.All(v, x => Assert.InRange(x, 0.0, 1.0 - 1e-12));
        var (mean, variance) = Moments(v);
        Assert.InRange(mean, 0.49, 0.51);
        Assert.InRange(variance, 1.0 / 12 - 0.003, 1.0 / 12 + 0.003);
    }

    [Fact]
    public void Randn_has_mean_zero_and_unit_variance()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(2);
        var (mean, variance) = Moments(Values(Tensors.Randn([N], g, ScalarType.Float64)));
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.97, 1.03);
    }

    [Fact]
    public void Rand_int_draws_every_value_in_low_inclusive_high_exclusive()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(3);
        var v = Tensors.RandInt(-2, 3, [10_000], g).ToArray<long>();
        Assert.All(v, x => Assert.InRange(x, -2L, 2L));
        Assert.Equal(new long[] { -2, -1, 0, 1, 2 }, v.Distinct().Order().ToArray());
    }

    [Fact]
    public void Rand_perm_is_a_permutation_of_zero_to_N_minus_one()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(4);
        var v = Tensors.RandPerm(50, g).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), v.Order());
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (long)i), v); // shuffled (probability 1/50! of failing)
    }

    [Fact]
    public void Gumbel_has_mean_euler_gamma_and_variance_pi_squared_over_six()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(5);
        var (mean, variance) = Moments(Values(Tensors.Gumbel([N], g)));
        Assert.InRange(mean, 0.5772 - 0.02, 0.5772 + 0.02);
        Assert.InRange(variance, Math.PI * Math.PI / 6 - 0.05, Math.PI * Math.PI / 6 + 0.05);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    public void Gumbel_in_other_float_types_is_finite_with_mean_euler_gamma(ScalarType dtype)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(12);
        var t = Tensors.Gumbel([N], g, dtype);
        Assert.Equal(dtype, t.DType);
        var v = Values(t);
        Assert.All(v, x => Assert.True(double.IsFinite(x)));
        Assert.InRange(v.Average(), 0.5772 - 0.03, 0.5772 + 0.03);
    }

    [Fact]
    public void Multinomial_never_draws_zero_probability_categories()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(6);
        var probs = F([0.5f, 0f, 0.3f, 0f, 0.2f], 1, 5);
        var draws = Tensors.Multinomial(probs, 2000, replacement: true, generator: g);
        Shape([1, 2000], draws);
        var v = draws.ToArray<long>();
        Assert.DoesNotContain(1L, v);
        Assert.DoesNotContain(3L, v);
        Assert.InRange(v.Count(x => x == 0) / 2000.0, 0.45, 0.55);
    }

    [Fact]
    public void Multinomial_without_replacement_draws_distinct_categories()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(7);
        var draws = Tensors.Multinomial(F([1f, 1, 1, 1]), 4, replacement: false, generator: g).ToArray<long>();
        Assert.Equal(new long[] { 0, 1, 2, 3 }, draws.Order());
    }

    [Fact]
    public void Bernoulli_of_zeros_and_ones_returns_them()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(8);
        var v = Tensors.Bernoulli(F([0f, 1f, 0f, 1f]), g).ToArray<float>();
        Assert.Equal(new[] { 0f, 1, 0, 1 }, v);
    }

    [Fact]
    public void Bernoulli_has_mean_P()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(9);
        var v = Values(Tensors.Bernoulli(Tensors.Full([N], 0.3), g));
        Assert.All(v, x => Assert.True(x == 0 || x == 1));
        Assert.InRange(v.Average(), 0.29, 0.31);
    }

    [Fact]
    public void Same_seed_gives_same_draws()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g1 = new Generator(1234);
        using var g2 = new Generator(1234);
        Assert.Equal(Tensors.Randn([64], g1).ToArray<float>(), Tensors.Randn([64], g2).ToArray<float>());
        Assert.Equal(Tensors.RandInt(0, 1000, [64], g1).ToArray<long>(), Tensors.RandInt(0, 1000, [64], g2).ToArray<long>());
    }

    [Fact]
    public void Different_seeds_give_different_draws()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        Assert.NotEqual(Tensors.Rand([64], g1).ToArray<float>(), Tensors.Rand([64], g2).ToArray<float>());
    }

    [Fact]
    public void Set_seed_restarts_the_sequence()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(77);
        var first = Tensors.Rand([16], g).ToArray<float>();
        var second = Tensors.Rand([16], g).ToArray<float>();
        g.SetSeed(77);
        Assert.NotEqual(first, second);
        Assert.Equal(first, Tensors.Rand([16], g).ToArray<float>());
    }

    [Fact]
    public void Uniform_in_place_draws_within_the_range()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(10);
        var t = Tensors.Zeros([N]);
        var same = t.UniformInPlace(-3, 5, g);
        Assert.Same(t, same);
        var v = Values(t);
        Assert.All(v, x => Assert.InRange(x, -3.0, 5.0));
        Assert.True(v.Min() < -2.9 && v.Max() > 4.9);
        Assert.InRange(v.Average(), 0.95, 1.05);
    }

    [Fact]
    public void Normal_in_place_has_requested_mean_and_std()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(11);
        var t = Tensors.Zeros([N], ScalarType.Float64).NormalInPlace(3, 2, g);
        var (mean, variance) = Moments(t.ToArray<double>());
        Assert.InRange(mean, 2.97, 3.03);
        Assert.InRange(Math.Sqrt(variance), 1.97, 2.03);
    }
}
