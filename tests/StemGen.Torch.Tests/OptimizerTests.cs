using StemGen.Torch.Modules;
using StemGen.Torch.Optim;

namespace StemGen.Torch.Tests;

public class OptimizerTests
{
    /// <summary>AdamW written out in doubles, independently of the native kernel.</summary>
    private static double[] ReferenceAdamW(double[] p, Func<double[], double[]> gradient, int steps, double lr, double wd,
        double b1 = 0.9, double b2 = 0.999, double eps = 1e-8)
    {
        p = (double[])p.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (var t = 1; t <= steps; t++)
        {
            var g = gradient(p);
            for (var i = 0; i < p.Length; i++)
            {
                p[i] *= 1 - lr * wd;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                var mHat = m[i] / (1 - Math.Pow(b1, t));
                var vHat = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        return p;
    }

    [Fact]
    public void AdamW_matches_the_reference_update_over_several_steps()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        double[] start = [1.0, -2.0, 0.5], target = [0.3, 0.1, -0.4];
        var p = Tensor.FromArray((double[])start.Clone(), 3).DetachFromDisposeScope();
        p.RequiresGrad = true;
        using var optimizer = new AdamW([new ParameterGroup([p], 0.05)], learningRate: 0.1);
        var goal = Tensor.FromArray(target, 3);
        for (var step = 0; step < 5; step++)
        {
            using var inner = TorchRuntime.NewDisposeScope();
            optimizer.ZeroGrad();
            p.Sub(goal).Square().Sum().Backward();
            optimizer.Step();
        }
        var expected = ReferenceAdamW(start, x => x.Select((v, i) => 2 * (v - target[i])).ToArray(), 5, 0.1, 0.05);
        OpAssert.Close(expected, p.ToArray<double>(), 1e-12);
        Assert.Equal(5, optimizer.StepCount);
        p.Dispose();
    }

    [Fact]
    public void ForModule_decays_matrices_but_not_biases_or_gains()
    {
        using var linear = new Linear(3, 2);
        using var optimizer = AdamW.ForModule(linear, 1e-3, weightDecay: 0.1);
        Assert.Equal(0.1, optimizer.Groups[0].WeightDecay);
        Assert.Same(linear.Weight, Assert.Single(optimizer.Groups[0].Parameters));
        Assert.Equal(0.0, optimizer.Groups[1].WeightDecay);
        Assert.Same(linear.Bias, Assert.Single(optimizer.Groups[1].Parameters));
    }

    [Fact]
    public void Parameters_without_gradient_are_left_alone()
    {
        using var linear = new Linear(3, 2);
        var before = linear.Weight.ToArray<float>();
        using var optimizer = AdamW.ForModule(linear, 0.1, weightDecay: 0.5);
        optimizer.Step();
        Assert.Equal(before, linear.Weight.ToArray<float>());
    }

    private sealed class Mlp : Module
    {
        private readonly Linear first, second;

        public Mlp()
        {
            first = RegisterModule("fc1", new Linear(2, 16));
            second = RegisterModule("fc2", new Linear(16, 1));
        }

        public Tensor Forward(Tensor x) => second.Forward(first.Forward(x).Tanh());
    }

    [Fact]
    public void A_tiny_mlp_learns_xor_to_near_zero_loss()
    {
        TorchRuntime.ManualSeed(7);
        using var mlp = new Mlp();
        using var optimizer = AdamW.ForModule(mlp, 0.05, weightDecay: 0);
        using var data = Tensor.FromArray(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }, 4, 2);
        using var target = Tensor.FromArray(new float[] { 0, 1, 1, 0 }, 4, 1);
        double loss = double.NaN;
        for (var step = 0; step < 500; step++)
        {
            using var scope = TorchRuntime.NewDisposeScope();
            optimizer.ZeroGrad();
            var l = Functional.MseLoss(mlp.Forward(data), target);
            l.Backward();
            GradientClipping.ClipByGlobalNorm(mlp.Parameters(), 1.0);
            optimizer.Step();
            loss = l.ToDouble();
        }
        Assert.True(loss < 1e-3, $"loss after 500 steps: {loss}");
    }

    [Fact]
    public void Restored_optimizer_state_continues_identically()
    {
        TorchRuntime.ManualSeed(3);
        using var a = new Mlp();
        using var b = new Mlp();
        b.LoadStateDict(a.StateDict());
        using var optA = AdamW.ForModule(a, 0.01);
        using var optB = AdamW.ForModule(b, 0.01);
        using var x = Tensors.Randn([8, 2]);
        void Train(Mlp m, AdamW o, int steps)
        {
            for (var i = 0; i < steps; i++)
            {
                using var scope = TorchRuntime.NewDisposeScope();
                o.ZeroGrad();
                m.Forward(x).Square().Mean().Backward();
                o.Step();
            }
        }
        Train(a, optA, 3);
        Train(b, optB, 3);
        // Reload b's optimiser from a's state after a detour, then both take the same steps.
        Train(b, optB, 2);
        b.LoadStateDict(a.StateDict());
        optB.LoadStateDict(optA.StateDict());
        Assert.Equal(3, optB.StepCount);
        Train(a, optA, 2);
        Train(b, optB, 2);
        using var scope2 = TorchRuntime.NewDisposeScope();
        Assert.Equal(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
    }

    [Fact]
    public void Optimizer_state_for_other_parameters_is_refused()
    {
        using var small = new Linear(2, 2);
        using var large = new Linear(3, 2);
        using var a = AdamW.ForModule(small, 0.01);
        using var b = AdamW.ForModule(large, 0.01);
        var e = Assert.Throws<ArgumentException>(() => b.LoadStateDict(a.StateDict()));
        Assert.Contains("exp_avg.0: expected [2, 3], got [2, 2]", e.Message);
    }

    [Fact]
    public void Gradient_clipping_scales_to_the_max_norm_and_reports_the_old_norm()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var p = Tensors.Zeros([2]);
        var q = Tensors.Zeros([1]);
        p.Grad = Tensor.FromArray(new float[] { 3, 0 });
        q.Grad = Tensor.FromArray(new float[] { 4 });
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm([p, q], 1.0), 5);
        OpAssert.Close([0.6, 0], p.Grad!);
        OpAssert.Close([0.8], q.Grad!);
        Assert.Equal(1.0, GradientClipping.ClipByGlobalNorm([p, q], 10.0), 4);
        OpAssert.Close([0.6, 0], p.Grad!);
    }

    [Fact]
    public void Tri_stage_schedule_warms_up_holds_and_decays_exponentially()
    {
        var lr = LearningRateSchedules.TriStage(5e-4, warmupSteps: 10, holdSteps: 5, decaySteps: 100, initialScale: 0.1, finalScale: 0.01);
        Assert.Equal(5e-5, lr(0), 12);
        Assert.Equal(5e-5 + (5e-4 - 5e-5) / 2, lr(5), 12);
        Assert.Equal(5e-4, lr(10), 12);
        Assert.Equal(5e-4, lr(14), 12);
        Assert.Equal(5e-4 * Math.Sqrt(0.01), lr(15 + 50), 12);
        Assert.Equal(5e-6, lr(15 + 100), 12);
        Assert.Equal(5e-6, lr(1_000_000), 12);
    }

    [Fact]
    public void Warmup_cosine_schedule_reaches_peak_then_minimum()
    {
        var lr = LearningRateSchedules.WarmupCosine(1.0, 10, 110, 0.1);
        Assert.Equal(0.1, lr(0), 12);
        Assert.Equal(1.0, lr(10), 12);
        Assert.Equal(0.55, lr(60), 12);
        Assert.Equal(0.1, lr(110), 12);
    }

    [Fact]
    public void Bad_hyper_parameters_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([], learningRate: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([], beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedules.TriStage(1, -1, 0, 0));
    }

    [Fact]
    public void Autocast_on_cpu_runs_linear_in_bfloat16_only_inside_the_scope()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = Tensors.Randn([2, 4]);
        var w = Tensors.Randn([3, 4]);
        using (TorchRuntime.Autocast(DeviceType.CPU, ScalarType.BFloat16))
            Assert.Equal(ScalarType.BFloat16, Functional.Linear(x, w).DType);
        Assert.Equal(ScalarType.Float32, Functional.Linear(x, w).DType);
    }
}
