using StemGen.Torch;
using static StemGen.Torch.Tests.GradCheck;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class AutogradTests
{
    private static readonly Input A = In(Noise(6, 1), 2, 3);
    private static readonly Input Bm = In(Noise(6, 2), 2, 3);
    private static readonly Input Pos = In(Noise(6, 3, 0.2, 2), 2, 3);

    // ---- finite-difference checks ----
    [Fact] public void Add_gradient_matches_finite_differences() => Check(x => x[0] + x[1], A, Bm);
    [Fact] public void Sub_gradient_matches_finite_differences() => Check(x => x[0] - x[1], A, Bm);
    [Fact] public void Mul_gradient_matches_finite_differences() => Check(x => x[0] * x[1], A, Bm);
    [Fact] public void Div_gradient_matches_finite_differences() => Check(x => x[0] / x[1], A, Pos);
    [Fact] public void Broadcast_add_gradient_sums_over_broadcast_dims() => Check(x => x[0] * x[1], A, In(Noise(3, 4), 1, 3));
    [Fact] public void Scalar_arithmetic_gradient_matches_finite_differences() => Check(x => 2.0 - 3.0 * x[0] / 1.5 + 1.0 / x[1], A, Pos);
    [Fact] public void Pow_scalar_gradient_matches_finite_differences() => Check(x => x[0].Pow(2.5), Pos);
    [Fact] public void Pow_tensor_gradient_matches_finite_differences_for_base_and_exponent() => Check(x => x[0].Pow(x[1]), Pos, A);
    [Fact] public void Sqrt_gradient_matches_finite_differences() => Check(x => x[0].Sqrt(), Pos);
    [Fact] public void Exp_gradient_matches_finite_differences() => Check(x => x[0].Exp(), A);
    [Fact] public void Log_gradient_matches_finite_differences() => Check(x => x[0].Log(), Pos);
    [Fact] public void Tanh_gradient_matches_finite_differences() => Check(x => x[0].Tanh(), A);
    [Fact] public void Sigmoid_gradient_matches_finite_differences() => Check(x => x[0].Sigmoid(), A);
    [Fact] public void Silu_gradient_matches_finite_differences() => Check(x => x[0].Silu(), A);
    [Fact] public void Gelu_gradient_matches_finite_differences() => Check(x => x[0].Gelu(), A);
    [Fact] public void Gelu_tanh_gradient_matches_finite_differences() => Check(x => x[0].Gelu(tanhApproximation: true), A);
    [Fact] public void Elu_gradient_matches_finite_differences() => Check(x => x[0].Elu(0.8), A);
    [Fact] public void Softmax_gradient_matches_finite_differences() => Check(x => x[0].Softmax(-1), A);
    [Fact] public void Log_softmax_gradient_matches_finite_differences() => Check(x => x[0].LogSoftmax(0), A);
    [Fact] public void Matmul_gradient_matches_finite_differences() => Check(x => x[0].Matmul(x[1]), A, In(Noise(12, 5), 3, 4));
    [Fact] public void Sum_gradient_matches_finite_differences() => Check(x => x[0].Sum(), A);
    [Fact] public void Sum_over_dim_gradient_matches_finite_differences() => Check(x => x[0].Sum(1, keepDim: true), A);
    [Fact] public void Mean_gradient_matches_finite_differences() => Check(x => x[0].Mean(0), A);
    [Fact] public void Cum_sum_gradient_matches_finite_differences() => Check(x => x[0].CumSum(1), A);
    [Fact] public void Narrow_gradient_matches_finite_differences() => Check(x => x[0].Narrow(1, 1, 2), A);
    [Fact] public void Pad_reflect_gradient_matches_finite_differences() => Check(x => x[0].Pad([2, 1], PadMode.Reflect), In(Noise(5, 6), 1, 5));
    [Fact] public void Cat_gradient_matches_finite_differences() => Check(x => Tensors.Cat([x[0], x[1].Square()], 0), A, Bm);
    [Fact] public void Stack_gradient_matches_finite_differences() => Check(x => Tensors.Stack([x[0], x[1].Exp()], 1), A, Bm);

    [Fact]
    public void Gather_gradient_matches_finite_differences() =>
        Check(x => x[0].Gather(1, L([2, 0, 0, 1, 1, 1], 2, 3)).Square(), A);

    [Fact]
    public void Index_select_gradient_matches_finite_differences() =>
        Check(x => x[0].IndexSelect(1, L([2, 2, 0])).Tanh(), A);

    [Fact]
    public void Chain_of_ops_gradient_matches_finite_differences() =>
        Check(x => (x[0].Matmul(x[1].Transpose(0, 1)).Tanh() * 2.0).LogSoftmax(-1).Mean(), A, Bm);

    // ---- autograd state ----
    [Fact]
    public void Grad_is_null_before_backward()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, 2]);
        w.RequiresGrad = true;
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Backward_of_sum_of_squares_gives_two_X()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, -2, 3]);
        w.RequiresGrad = true;
        w.Square().Sum().Backward();
        Assert.Equal(new[] { 2.0, -4, 6 }, w.Grad!.ToArray<double>());
    }

    [Fact]
    public void Grad_accumulates_over_two_backward_passes()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, -2, 3]);
        w.RequiresGrad = true;
        (w * 3.0).Sum().Backward();
        (w * w).Sum().Backward();
        Assert.Equal(new[] { 3.0 + 2, 3 - 4, 3 + 6 }, w.Grad!.ToArray<double>());
    }

    [Fact]
    public void Setting_grad_to_null_clears_it()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, 2]);
        w.RequiresGrad = true;
        w.Sum().Backward();
        Assert.NotNull(w.Grad);
        w.Grad = null;
        Assert.Null(w.Grad);
        (w * 5.0).Sum().Backward();
        Assert.Equal(new[] { 5.0, 5 }, w.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_with_retain_graph_can_run_twice_on_the_same_graph()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([2]);
        w.RequiresGrad = true;
        var y = (w * w).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(new[] { 8.0 }, w.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_twice_without_retain_graph_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([2]);
        w.RequiresGrad = true;
        var y = w.Exp().Sum();
        y.Backward();
        var e = Assert.Throws<TorchException>(() => y.Backward());
        Assert.Contains("second time", e.Message);
    }

    [Fact]
    public void Backward_of_non_scalar_without_grad_output_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, 2]);
        w.RequiresGrad = true;
        var e = Assert.Throws<TorchException>(() => (w * 2.0).Backward());
        Assert.Contains("scalar", e.Message);
    }

    [Fact]
    public void Requires_grad_propagates_to_results_of_ops()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, 2]);
        Assert.False(w.RequiresGrad);
        Assert.False((w * 2.0).RequiresGrad);
        w.RequiresGrad = true;
        Assert.True((w * 2.0).RequiresGrad);
    }

    [Fact]
    public void No_grad_results_do_not_require_grad()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, 2]);
        w.RequiresGrad = true;
        using (TorchRuntime.NoGrad())
        {
            Assert.False(TorchRuntime.IsGradEnabled);
            Assert.False((w * 2.0).RequiresGrad);
            Assert.False(w.Matmul(w).RequiresGrad);
        }
        Assert.True(TorchRuntime.IsGradEnabled);
        Assert.True((w * 2.0).RequiresGrad);
    }

    [Fact]
    public void Enable_grad_inside_no_grad_restores_recording()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, 2]);
        w.RequiresGrad = true;
        using (TorchRuntime.NoGrad())
        {
            using (TorchRuntime.EnableGrad())
            {
                Assert.True(TorchRuntime.IsGradEnabled);
                Assert.True((w * 2.0).RequiresGrad);
            }
            Assert.False(TorchRuntime.IsGradEnabled);
            Assert.False((w * 2.0).RequiresGrad);
        }
    }

    [Fact]
    public void Detach_cuts_the_result_from_the_graph()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([3]);
        w.RequiresGrad = true;
        var d = w.Detach();
        Assert.False(d.RequiresGrad);
        (w * d).Sum().Backward(); // d acts as a constant
        Assert.Equal(new[] { 3.0 }, w.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_with_grad_output_weights_the_outputs()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = D([1, 2, 3]);
        w.RequiresGrad = true;
        (w * w).Backward(D([1, 0, -1]));
        Assert.Equal(new[] { 2.0, 0, -6 }, w.Grad!.ToArray<double>());
    }
}
