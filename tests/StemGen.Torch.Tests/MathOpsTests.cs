using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class MathOpsTests
{
    private static readonly double[] Xs = [-2.5, -1, -0.3, 0, 0.4, 1, 3.2];
    private static readonly double[] Positive = [0.01, 0.5, 1, 2, 10];

    /// <summary>erf by its Maclaurin series (accurate to ~1e-15 for |x| &lt;= 3).</summary>
    private static double Erf(double x)
    {
        double sum = 0, term = x;
        for (var n = 0; n < 200; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    private static void Unary(Func<Tensor, Tensor> op, Func<double, double> expected, double[] inputs, double tolerance = 1e-12)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(inputs.Select(expected).ToArray(), op(D(inputs)), tolerance);
    }

    [Fact] public void Neg_negates_each_element() => Unary(t => t.Neg(), x => -x, Xs);
    [Fact] public void Unary_minus_operator_negates() => Unary(t => -t, x => -x, Xs);
    [Fact] public void Abs_is_the_magnitude() => Unary(t => t.Abs(), Math.Abs, Xs);
    [Fact] public void Sqrt_matches_math_sqrt() => Unary(t => t.Sqrt(), Math.Sqrt, Positive);
    [Fact] public void Rsqrt_is_one_over_sqrt() => Unary(t => t.Rsqrt(), x => 1 / Math.Sqrt(x), Positive);
    [Fact] public void Exp_matches_math_exp() => Unary(t => t.Exp(), Math.Exp, Xs);
    [Fact] public void Log_matches_math_log() => Unary(t => t.Log(), Math.Log, Positive);
    [Fact] public void Log1_p_matches_log_of_one_plus_X() => Unary(t => t.Log1p(), x => Math.Log(1 + x), Positive);
    [Fact] public void Expm1_matches_exp_minus_one() => Unary(t => t.Expm1(), x => Math.Exp(x) - 1, Xs, 1e-10);
    [Fact] public void Log2_matches_math_log2() => Unary(t => t.Log2(), Math.Log2, Positive);
    [Fact] public void Log10_matches_math_log10() => Unary(t => t.Log10(), Math.Log10, Positive);
    [Fact] public void Sin_matches_math_sin() => Unary(t => t.Sin(), Math.Sin, Xs);
    [Fact] public void Cos_matches_math_cos() => Unary(t => t.Cos(), Math.Cos, Xs);
    [Fact] public void Atan_matches_math_atan() => Unary(t => t.Atan(), Math.Atan, Xs);
    [Fact] public void Tanh_matches_math_tanh() => Unary(t => t.Tanh(), Math.Tanh, Xs);
    [Fact] public void Sigmoid_is_one_over_one_plus_exp_minus_X() => Unary(t => t.Sigmoid(), x => 1 / (1 + Math.Exp(-x)), Xs);
    [Fact] public void Relu_clamps_negatives_to_zero() => Unary(t => t.Relu(), x => Math.Max(x, 0), Xs);
    [Fact] public void Silu_is_X_times_sigmoid_X() => Unary(t => t.Silu(), x => x / (1 + Math.Exp(-x)), Xs);
    [Fact] public void Gelu_is_X_times_normal_cdf() => Unary(t => t.Gelu(), x => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))), Xs, 1e-10);

    [Fact]
    public void Gelu_tanh_matches_the_tanh_approximation() => Unary(t => t.Gelu(tanhApproximation: true),
        x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))), Xs, 1e-10);

    [Fact] public void Elu_is_alpha_times_exp_minus_one_below_zero() => Unary(t => t.Elu(0.7), x => x > 0 ? x : 0.7 * (Math.Exp(x) - 1), Xs);
    [Fact] public void Leaky_relu_scales_negatives_by_slope() => Unary(t => t.LeakyRelu(0.1), x => x > 0 ? x : 0.1 * x, Xs);
    [Fact] public void Sign_is_minus_one_zero_or_one() => Unary(t => t.Sign(), x => Math.Sign(x), Xs);
    [Fact] public void Floor_rounds_down() => Unary(t => t.Floor(), Math.Floor, Xs);
    [Fact] public void Ceil_rounds_up() => Unary(t => t.Ceil(), Math.Ceiling, Xs);
    [Fact] public void Round_rounds_half_to_even() => Unary(t => t.Round(), x => Math.Round(x, MidpointRounding.ToEven), [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6]);
    [Fact] public void Square_is_X_times_X() => Unary(t => t.Square(), x => x * x, Xs);
    [Fact] public void Reciprocal_is_one_over_X() => Unary(t => t.Reciprocal(), x => 1 / x, Positive);

    [Fact]
    public void Is_na_N_is_inf_is_finite_classify_special_values()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = D([double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0]);
        Assert.Equal(new[] { true, false, false, false }, t.IsNaN().ToArray<bool>());
        Assert.Equal(new[] { false, true, true, false }, t.IsInf().ToArray<bool>());
        Assert.Equal(new[] { false, false, false, true }, t.IsFinite().ToArray<bool>());
    }

    [Fact]
    public void Logical_not_inverts_bools()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new[] { false, true }, B([true, false]).LogicalNot().ToArray<bool>());
    }

    [Fact]
    public void Softmax_is_exp_over_sum_of_exp_per_row()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        double[] x = [1, 2, 3, -1, 0, 5];
        var expected = new double[6];
        for (var r = 0; r < 2; r++)
        {
            var z = Enumerable.Range(0, 3).Sum(j => Math.Exp(x[r * 3 + j]));
            for (var j = 0; j < 3; j++) expected[r * 3 + j] = Math.Exp(x[r * 3 + j]) / z;
        }
        Close(expected, D(x, 2, 3).Softmax(-1), 1e-12);
        Close(expected.Select(v => Math.Log(v)).ToArray(), D(x, 2, 3).LogSoftmax(1), 1e-12);
    }

    [Fact]
    public void Softmax_of_large_logits_does_not_overflow()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close([0.5, 0.5], F([1000f, 1000f]).Softmax(0), 1e-6);
    }

    // ---- binary ----
    private static readonly double[] A = [1.5, -2, 3, 0.25];
    private static readonly double[] Bv = [2, 4, -1.5, 0.5];

    private static void Binary(Func<Tensor, Tensor, Tensor> op, Func<double, double, double> expected, double tolerance = 1e-12)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(A.Zip(Bv, expected).ToArray(), op(D(A), D(Bv)), tolerance);
    }

    [Fact] public void Add_adds_elementwise() => Binary((a, b) => a.Add(b), (a, b) => a + b);
    [Fact] public void Add_with_alpha_adds_scaled_other() => Binary((a, b) => a.Add(b, -0.5), (a, b) => a - 0.5 * b);
    [Fact] public void Sub_subtracts_elementwise() => Binary((a, b) => a.Sub(b), (a, b) => a - b);
    [Fact] public void Mul_multiplies_elementwise() => Binary((a, b) => a.Mul(b), (a, b) => a * b);
    [Fact] public void Div_divides_elementwise() => Binary((a, b) => a.Div(b), (a, b) => a / b);
    [Fact] public void Pow_raises_to_tensor_exponent() => Binary((a, b) => a.Abs().Pow(b), (a, b) => Math.Pow(Math.Abs(a), b));
    [Fact] public void Atan2_matches_math_atan2() => Binary((a, b) => a.Atan2(b), Math.Atan2);
    [Fact] public void Maximum_takes_the_larger() => Binary((a, b) => a.Maximum(b), Math.Max);
    [Fact] public void Minimum_takes_the_smaller() => Binary((a, b) => a.Minimum(b), Math.Min);
    [Fact] public void Operators_compute_the_arithmetic_expression() => Binary((a, b) => (a + b) * a - b / a, (a, b) => (a + b) * a - b / a);

    [Fact]
    public void Scalar_operators_apply_on_either_side()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = D(A);
        Close(A.Select(a => 2 * a + 1).ToArray(), 2.0 * t + 1.0);
        Close(A.Select(a => 1 - a).ToArray(), 1.0 - t);
        Close(A.Select(a => 3 / a).ToArray(), 3.0 / t);
        Close(A.Select(a => a / 4 - 0.5).ToArray(), t / 4.0 - 0.5);
        Close(A.Select(a => a * 3).ToArray(), 3.0 + t * 3.0 - 3.0);
    }

    [Fact]
    public void Pow_scalar_raises_each_element()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(Positive.Select(x => Math.Pow(x, 1.5)).ToArray(), D(Positive).Pow(1.5), 1e-12);
    }

    [Fact]
    public void Add_broadcasts_row_and_column()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2, 3], 3, 1) + F([10f, 20], 1, 2);
        Shape([3, 2], t);
        Assert.Equal(new[] { 11f, 21, 12, 22, 13, 23 }, t.ToArray<float>());
    }

    [Fact]
    public void Floor_divide_rounds_toward_minus_infinity()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new long[] { 2, -3, -3, 2 }, L([7, -7, 7, -7]).FloorDivide(L([3, 3, -3, -3])).ToArray<long>());
        Assert.Equal(new long[] { 3, -4 }, L([7, -7]).FloorDivide(2L).ToArray<long>());
    }

    [Fact]
    public void Remainder_has_the_sign_of_the_divisor()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new long[] { 1, 2, -2, -1 }, L([7, -7, 7, -7]).Remainder(L([3, 3, -3, -3])).ToArray<long>());
        Assert.Equal(new long[] { 1, 2 }, L([7, -7]).Remainder(3L).ToArray<long>());
    }

    [Fact]
    public void Comparisons_return_bool_tensors()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = F([1f, 2, 3]);
        var b = F([2f, 2, 2]);
        Assert.Equal(ScalarType.Bool, a.Eq(b).DType);
        Assert.Equal(new[] { false, true, false }, a.Eq(b).ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, a.Ne(b).ToArray<bool>());
        Assert.Equal(new[] { true, false, false }, a.Lt(b).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, a.Le(b).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, a.Gt(b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true }, a.Ge(b).ToArray<bool>());
    }

    [Fact]
    public void Scalar_comparisons_compare_each_element()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = F([1f, 2, 3]);
        Assert.Equal(new[] { false, true, false }, a.Eq(2.0).ToArray<bool>());
        Assert.Equal(new[] { false, true, false }, L([1, 2, 3]).Eq(2L).ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, L([1, 2, 3]).Ne(2L).ToArray<bool>());
        Assert.Equal(new[] { true, false, false }, a.Lt(1.5).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, a.Le(2.0).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, a.Gt(2.5).ToArray<bool>());
        Assert.Equal(new[] { false, true, true }, a.Ge(2.0).ToArray<bool>());
    }

    [Fact]
    public void Logical_ops_follow_truth_tables()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = B([false, false, true, true]);
        var b = B([false, true, false, true]);
        Assert.Equal(new[] { false, false, false, true }, a.LogicalAnd(b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true, true }, a.LogicalOr(b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true, false }, a.LogicalXor(b).ToArray<bool>());
    }

    // ---- scalar promotion ----
    [Fact]
    public void Int64_tensor_plus_long_scalar_stays_int64()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = L([1, 2]).Add(1L);
        Assert.Equal(ScalarType.Int64, t.DType);
        Assert.Equal(new long[] { 2, 3 }, t.ToArray<long>());
    }

    [Fact]
    public void Int64_tensor_plus_double_scalar_becomes_float32()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = L([1, 2]).Add(0.5);
        Assert.Equal(ScalarType.Float32, t.DType);
        Assert.Equal(new[] { 1.5f, 2.5f }, t.ToArray<float>());
    }

    [Fact]
    public void Float16_tensor_times_double_scalar_stays_float16()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensor.FromArray(new[] { (Half)1, (Half)2 }).Mul(0.5);
        Assert.Equal(ScalarType.Float16, t.DType);
        Assert.Equal(new[] { (Half)0.5, (Half)1 }, t.ToArray<Half>());
    }

    [Fact]
    public void Int32_tensor_plus_int64_tensor_promotes_to_int64()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensor.FromArray(new[] { 1, 2 }).Add(L([3, 4]));
        Assert.Equal(ScalarType.Int64, t.DType);
        Assert.Equal(new long[] { 4, 6 }, t.ToArray<long>());
    }

    [Fact]
    public void Int64_tensor_divided_by_int64_tensor_is_true_division_in_float32()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = L([7, 1]).Div(L([2, 4]));
        Assert.Equal(ScalarType.Float32, t.DType);
        Assert.Equal(new[] { 3.5f, 0.25f }, t.ToArray<float>());
    }

    // ---- clamp and lerp ----
    [Fact]
    public void Clamp_with_min_only_raises_small_values()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(Xs.Select(x => Math.Max(x, -0.5)).ToArray(), D(Xs).Clamp(min: -0.5), 0);
    }

    [Fact]
    public void Clamp_with_max_only_lowers_large_values()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(Xs.Select(x => Math.Min(x, 0.5)).ToArray(), D(Xs).Clamp(max: 0.5), 0);
    }

    [Fact]
    public void Clamp_with_both_limits_to_the_range()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(Xs.Select(x => Math.Clamp(x, -1.0, 1.0)).ToArray(), D(Xs).Clamp(-1, 1), 0);
    }

    [Fact]
    public void Clamp_with_neither_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => D(Xs).Clamp());
        Assert.Contains("min", e.Message);
    }

    [Fact]
    public void Lerp_is_start_plus_weight_times_difference()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close(A.Zip(Bv, (a, b) => a + 0.25 * (b - a)).ToArray(), D(A).Lerp(D(Bv), 0.25), 1e-12);
    }

    // ---- in place ----
    [Fact]
    public void Add_in_place_adds_scaled_other_to_the_same_tensor()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = D(A);
        var r = t.AddInPlace(D(Bv), 2);
        Assert.Same(t, r);
        Close(A.Zip(Bv, (a, b) => a + 2 * b).ToArray(), t, 1e-12);
    }

    [Fact]
    public void Mul_in_place_by_scalar_and_by_tensor_scales_the_tensor()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = D(A);
        t.MulInPlace(3).MulInPlace(D(Bv));
        Close(A.Zip(Bv, (a, b) => 3 * a * b).ToArray(), t, 1e-12);
    }

    [Fact]
    public void Fill_in_place_sets_every_element_and_zero_in_place_clears()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = D(A);
        t.FillInPlace(-7);
        Assert.Equal(new[] { -7.0, -7, -7, -7 }, t.ToArray<double>());
        t.ZeroInPlace();
        Assert.Equal(new double[4], t.ToArray<double>());
    }

    [Fact]
    public void Fill_in_place_on_a_view_writes_through_to_the_base()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([2, 3]);
        t.Select(0, 1).FillInPlace(1);
        Assert.Equal(new[] { 0f, 0, 0, 1, 1, 1 }, t.ToArray<float>());
    }

    [Fact]
    public void Lerp_in_place_moves_toward_the_end()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = D(A);
        t.LerpInPlace(D(Bv), 0.9);
        Close(A.Zip(Bv, (a, b) => a + 0.9 * (b - a)).ToArray(), t, 1e-12);
    }

    [Fact]
    public void Index_copy_in_place_overwrites_the_indexed_rows()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([3, 2]);
        t.IndexCopyInPlace(0, L([2, 0]), F([1f, 2, 3, 4], 2, 2));
        Assert.Equal(new[] { 3f, 4, 0, 0, 1, 2 }, t.ToArray<float>());
    }

    [Fact]
    public void In_place_ops_on_a_leaf_that_requires_grad_do_not_record_a_graph()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D(A);
        w.RequiresGrad = true;
        w.AddInPlace(D(Bv), 1).MulInPlace(2);
        Assert.True(w.RequiresGrad);
        Close(A.Zip(Bv, (a, b) => 2 * (a + b)).ToArray(), w.Detach(), 1e-12);
    }

    // ---- matrix products ----
    private static double[] NaiveMatmul(double[] a, double[] b, int n, int k, int m)
    {
        var c = new double[n * m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
            {
                double s = 0;
                for (var p = 0; p < k; p++) s += a[i * k + p] * b[p * m + j];
                c[i * m + j] = s;
            }
        return c;
    }

    [Fact]
    public void Matmul_matches_naive_triple_loop()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Noise(3 * 4, 1);
        var b = Noise(4 * 5, 2);
        var c = D(a, 3, 4).Matmul(D(b, 4, 5));
        Shape([3, 5], c);
        Close(NaiveMatmul(a, b, 3, 4, 5), c, 1e-12);
    }

    [Fact]
    public void Matmul_of_matrix_and_vector_is_a_matrix_vector_product()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Noise(6, 3);
        var v = Noise(3, 4);
        var c = D(a, 2, 3).Matmul(D(v));
        Shape([2], c);
        Close(NaiveMatmul(a, v, 2, 3, 1), c, 1e-12);
    }

    [Fact]
    public void Matmul_broadcasts_batch_of_matrices_by_one_matrix()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Noise(2 * 3 * 4, 5);
        var b = Noise(4 * 2, 6);
        var c = D(a, 2, 3, 4).Matmul(D(b, 4, 2));
        Shape([2, 3, 2], c);
        var expected = NaiveMatmul(a[..12], b, 3, 4, 2).Concat(NaiveMatmul(a[12..], b, 3, 4, 2)).ToArray();
        Close(expected, c, 1e-12);
    }

    [Fact]
    public void Bmm_multiplies_each_batch_independently()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Noise(2 * 2 * 3, 7);
        var b = Noise(2 * 3 * 4, 8);
        var c = D(a, 2, 2, 3).Bmm(D(b, 2, 3, 4));
        Shape([2, 2, 4], c);
        var expected = NaiveMatmul(a[..6], b[..12], 2, 3, 4).Concat(NaiveMatmul(a[6..], b[12..], 2, 3, 4)).ToArray();
        Close(expected, c, 1e-12);
    }

    [Fact]
    public void Einsum_batched_product_matches_naive_loops()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Noise(2 * 3 * 4, 9);
        var b = Noise(2 * 5 * 4, 10);
        var c = Tensors.Einsum("bik,bjk->bij", D(a, 2, 3, 4), D(b, 2, 5, 4));
        Shape([2, 3, 5], c);
        var expected = new double[2 * 3 * 5];
        for (var bi = 0; bi < 2; bi++)
            for (var i = 0; i < 3; i++)
                for (var j = 0; j < 5; j++)
                    for (var k = 0; k < 4; k++)
                        expected[bi * 15 + i * 5 + j] += a[bi * 12 + i * 4 + k] * b[bi * 20 + j * 4 + k];
        Close(expected, c, 1e-12);
    }

    [Fact]
    public void Autocast_on_cpu_runs_matmul_in_B_float16_until_disposed()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = F([1f, 2, 3, 4], 2, 2);
        using (TorchRuntime.Autocast(DeviceType.CPU, ScalarType.BFloat16))
        {
            var c = a.Matmul(a);
            Assert.Equal(ScalarType.BFloat16, c.DType);
            Assert.Equal(new[] { 7.0, 10, 15, 22 }, Values(c)); // small integers are exact in bfloat16
            Assert.Equal(ScalarType.Float32, (a + a).DType); // elementwise ops keep their type
        }
        Assert.Equal(ScalarType.Float32, a.Matmul(a).DType);
    }

    [Fact]
    public void Einsum_trace_sums_the_diagonal()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Noise(9, 11);
        Close(a[0] + a[4] + a[8], Tensors.Einsum("ii", D(a, 3, 3)).ToDouble(), 1e-12);
    }

    [Fact]
    public void Einsum_outer_product_multiplies_every_pair()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Einsum("i,j->ij", D([1, 2]), D([3, 4, 5]));
        Assert.Equal(new[] { 3.0, 4, 5, 6, 8, 10 }, t.ToArray<double>());
    }
}
