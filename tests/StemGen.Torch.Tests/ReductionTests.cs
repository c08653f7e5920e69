using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class ReductionTests
{
    // a (2, 3, 4) array of distinct values
    private static readonly double[] X = Noise(24, 42, -3, 3);
    private static double At(int i, int j, int k) => X[i * 12 + j * 4 + k];
    private static Tensor Xt() => D(X, 2, 3, 4);

    [Fact]
    public void Sum_of_all_is_a_scalar_of_the_total()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var s = Xt().Sum();
        Assert.Equal(0, s.Dim);
        Close(X.Sum(), s.ToDouble(), 1e-12);
    }

    [Fact]
    public void Sum_over_one_dim_reduces_that_dim()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var expected = new double[2 * 4];
        for (var i = 0; i < 2; i++)
            for (var k = 0; k < 4; k++)
                for (var j = 0; j < 3; j++) expected[i * 4 + k] += At(i, j, k);
        var s = Xt().Sum(1);
        Shape([2, 4], s);
        Close(expected, s, 1e-12);
    }

    [Fact]
    public void Sum_over_several_dims_with_keep_dim_keeps_size_one_dims()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var expected = new double[3];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 4; k++) expected[j] += At(i, j, k);
        var s = Xt().Sum([0, -1], keepDim: true);
        Shape([1, 3, 1], s);
        Close(expected, s, 1e-12);
    }

    [Fact]
    public void Sum_of_bool_with_int64_dtype_counts_trues()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var s = B([true, false, true, true]).Sum(ScalarType.Int64);
        Assert.Equal(ScalarType.Int64, s.DType);
        Assert.Equal(3, s.ToInt64());
    }

    [Fact]
    public void Sum_of_int32_promotes_to_int64()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var s = Tensor.FromArray(new[] { int.MaxValue, int.MaxValue }).Sum();
        Assert.Equal(ScalarType.Int64, s.DType);
        Assert.Equal(2L * int.MaxValue, s.ToInt64());
    }

    [Fact]
    public void Mean_of_all_and_over_dim_averages_elements()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(X.Average(), Xt().Mean().ToDouble(), 1e-12);
        var expected = new double[2 * 3];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                expected[i * 3 + j] = Enumerable.Range(0, 4).Average(k => At(i, j, k));
        var m = Xt().Mean(-1, keepDim: true);
        Shape([2, 3, 1], m);
        Close(expected, m, 1e-12);
    }

    [Fact]
    public void Var_with_correction_one_divides_by_N_minus_one()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var mean = X.Average();
        Close(X.Sum(x => (x - mean) * (x - mean)) / 23, Xt().Var().ToDouble(), 1e-12);
    }

    [Fact]
    public void Var_with_correction_zero_divides_by_N()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        double[] v = [1, 2, 3, 4];
        Close(1.25, D(v).Var(correction: 0).ToDouble(), 1e-12);
    }

    [Fact]
    public void Var_over_a_dim_computes_per_row()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var r = D([1, 2, 3, 4, 2, 2, 2, 2, 0, 0, 0, 6], 3, 4).Var([1], correction: 1, keepDim: false);
        Close([5.0 / 3, 0, 9], r, 1e-12);
    }

    [Fact]
    public void Log_sum_exp_is_log_of_sum_of_exp()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var expected = new double[2 * 4];
        for (var i = 0; i < 2; i++)
            for (var k = 0; k < 4; k++)
                expected[i * 4 + k] = Math.Log(Enumerable.Range(0, 3).Sum(j => Math.Exp(At(i, j, k))));
        Close(expected, Xt().LogSumExp(1), 1e-12);
    }

    [Fact]
    public void Log_sum_exp_of_large_values_is_stable()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(1000 + Math.Log(2), D([1000, 1000]).LogSumExp(0).ToDouble(), 1e-12);
    }

    [Fact]
    public void Norm_default_is_euclidean()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(Math.Sqrt(X.Sum(x => x * x)), Xt().Norm().ToDouble(), 1e-12);
    }

    [Fact]
    public void Norm_with_P_one_over_dim_sums_absolute_values()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var n = D([3, -4, 1, -1], 2, 2).Norm(1, [1]);
        Close([7, 2], n, 1e-12);
        Close([5, Math.Sqrt(2)], D([3, -4, 1, -1], 2, 2).Norm(2, [1], keepDim: true), 1e-12);
    }

    [Fact]
    public void Max_and_min_of_all_are_the_extremes()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(X.Max(), Xt().Max().ToDouble());
        Assert.Equal(X.Min(), Xt().Min().ToDouble());
    }

    [Fact]
    public void Max_over_dim_returns_values_and_indices()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (values, indices) = Xt().Max(2);
        Shape([2, 3], values);
        Shape([2, 3], indices);
        var v = values.ToArray<double>();
        var ix = indices.ToArray<long>();
        for (var r = 0; r < 6; r++)
        {
            var row = X.Skip(r * 4).Take(4).ToArray();
            Assert.Equal(row.Max(), v[r]);
            Assert.Equal(Array.IndexOf(row, row.Max()), ix[r]);
        }
    }

    [Fact]
    public void Min_over_dim_with_keep_dim_returns_values_and_indices()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (values, indices) = F([3f, 1, 2, 0, 5, 4], 2, 3).Min(0, keepDim: true);
        Shape([1, 3], values);
        Assert.Equal(new[] { 0f, 1, 2 }, values.ToArray<float>());
        Assert.Equal(new long[] { 1, 0, 0 }, indices.ToArray<long>());
    }

    [Fact]
    public void Arg_max_of_all_is_the_flat_index_of_the_largest()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(Array.IndexOf(X, X.Max()), Xt().ArgMax().ToInt64());
    }

    [Fact]
    public void Arg_max_and_arg_min_over_dim_give_indices_along_it()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([3f, 1, 2, 0, 5, 4], 2, 3);
        Assert.Equal(new long[] { 0, 1 }, t.ArgMax(1).ToArray<long>());
        Assert.Equal(new long[] { 1, 0 }, t.ArgMin(1).ToArray<long>());
        Shape([2, 1], t.ArgMin(-1, keepDim: true));
    }

    [Fact]
    public void Cum_sum_is_the_running_sum()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var expected = new double[24];
        for (var i = 0; i < 2; i++)
            for (var k = 0; k < 4; k++)
            {
                double s = 0;
                for (var j = 0; j < 3; j++) expected[i * 12 + j * 4 + k] = s += At(i, j, k);
            }
        Close(expected, Xt().CumSum(1), 1e-12);
    }

    [Fact]
    public void All_and_any_reduce_bools()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.True(B([true, true]).All().ToBoolean());
        Assert.False(B([true, false]).All().ToBoolean());
        Assert.True(B([false, true]).Any().ToBoolean());
        Assert.False(B([false, false]).Any().ToBoolean());
        Assert.True(F([1f, 2]).All().ToBoolean());
    }

    [Fact]
    public void Sort_ascending_orders_values_and_reports_source_indices()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (values, indices) = Xt().Sort();
        var v = values.ToArray<double>();
        var ix = indices.ToArray<long>();
        for (var r = 0; r < 6; r++)
        {
            var row = X.Skip(r * 4).Take(4).ToArray();
            Assert.Equal(row.Order(), v.Skip(r * 4).Take(4));
            for (var k = 0; k < 4; k++) Assert.Equal(row[ix[r * 4 + k]], v[r * 4 + k]);
        }
    }

    [Fact]
    public void Sort_stable_keeps_ties_in_original_order_both_ways()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        // many ties so the result depends on stability
        var keys = new double[64];
        for (var i = 0; i < keys.Length; i++) keys[i] = (i * 7) % 3;
        var order = Enumerable.Range(0, keys.Length).OrderBy(i => keys[i]).Select(i => (long)i).ToArray(); // LINQ OrderBy is stable
        var descending = Enumerable.Range(0, keys.Length).OrderByDescending(i => keys[i]).Select(i => (long)i).ToArray();
        var (_, up) = D(keys).Sort(0, descending: false, stable: true);
        var (values, down) = D(keys).Sort(0, descending: true, stable: true);
        Assert.Equal(order, up.ToArray<long>());
        Assert.Equal(descending, down.ToArray<long>());
        Assert.Equal(keys.OrderDescending(), values.ToArray<double>());
    }

    [Fact]
    public void Top_K_returns_the_K_largest_in_descending_order()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (values, indices) = F([5f, 1, 9, 3, 7]).TopK(3);
        Assert.Equal(new[] { 9f, 7, 5 }, values.ToArray<float>());
        Assert.Equal(new long[] { 2, 4, 0 }, indices.ToArray<long>());
    }

    [Fact]
    public void Top_K_smallest_returns_the_K_smallest_along_dim()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (values, indices) = F([5f, 1, 9, 3, 7, 0], 2, 3).TopK(2, dim: 1, largest: false);
        Assert.Equal(new[] { 1f, 5, 0, 3 }, values.ToArray<float>());
        Assert.Equal(new long[] { 1, 0, 2, 0 }, indices.ToArray<long>());
    }
}
