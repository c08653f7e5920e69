using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

/// <summary>
/// Tests that read the process-wide <see cref="Tensor.LiveCount"/> or the default generator run
/// alone: xunit starts this collection only after every parallel collection has finished.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchStateCollection
{
    public const string Name = "Serial torch state (LiveCount, default generator)";
}

[Collection(SerialTorchStateCollection.Name)]
public class LifetimeTests
{
    /// <summary>LiveCount once tensors that nobody references have been finalized.</summary>
    private static long SettledLiveCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.LiveCount;
    }

    [Fact]
    public void Live_count_returns_to_its_start_after_a_dispose_scope_ends()
    {
        var start = SettledLiveCount();
        using (var scope = TorchRuntime.NewDisposeScope())
        {
            var a = Tensors.Ones([3]);
            var b = (a * 2.0 + a).Exp().Split(1);
            Assert.Equal(3, b.Length);
            Assert.Equal(start + 1 + 3 + 3, Tensor.LiveCount); // a, 3 intermediates, 3 pieces
            Assert.Equal(7, scope.Count);
        }
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void Explicit_dispose_inside_a_scope_frees_at_once_and_leaves_the_scope()
    {
        var start = SettledLiveCount();
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Tensors.Ones([3]);
        Assert.Equal(1, scope.Count);
        a.Dispose();
        Assert.Equal(0, scope.Count);
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void Dispose_scope_frees_every_tensor_created_in_it()
    {
        Tensor a, b;
        using (TorchRuntime.NewDisposeScope())
        {
            a = Tensors.Ones([2]);
            b = a.Neg();
        }
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
    }

    [Fact]
    public void Nested_scopes_free_inner_tensors_at_the_inner_end()
    {
        using var outer = TorchRuntime.NewDisposeScope();
        var kept = Tensors.Ones([2]);
        Tensor inner;
        using (TorchRuntime.NewDisposeScope()) inner = kept.Neg();
        Assert.True(inner.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(1, outer.Count);
    }

    [Fact]
    public void Move_to_outer_scope_keeps_the_tensor_past_the_inner_scope_until_the_outer_ends()
    {
        var start = SettledLiveCount();
        Tensor moved, dropped;
        using (TorchRuntime.NewDisposeScope())
        {
            using (TorchRuntime.NewDisposeScope())
            {
                dropped = Tensors.Full([2], 3);
                moved = (dropped * 2.0).MoveToOuterScope();
            }
            Assert.True(dropped.IsDisposed);
            Assert.False(moved.IsDisposed);
            Assert.Equal(new[] { 6f, 6 }, moved.ToArray<float>());
            Assert.Equal(start + 1, Tensor.LiveCount);
        }
        Assert.True(moved.IsDisposed);
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void Move_to_outer_scope_from_the_outermost_scope_leaves_the_tensor_unowned()
    {
        Tensor t;
        using (TorchRuntime.NewDisposeScope()) t = Tensors.Ones([1]).MoveToOuterScope();
        Assert.False(t.IsDisposed);
        t.Dispose();
        Assert.True(t.IsDisposed);
    }

    [Fact]
    public void Detach_from_dispose_scope_survives_all_scopes_until_disposed()
    {
        var start = SettledLiveCount();
        Tensor detached;
        using (TorchRuntime.NewDisposeScope())
        {
            using (TorchRuntime.NewDisposeScope())
            {
                detached = Tensors.Ones([2]).Mul(5.0).DetachFromDisposeScope();
            }
            Assert.False(detached.IsDisposed);
        }
        Assert.False(detached.IsDisposed);
        Assert.Equal(new[] { 5f, 5 }, detached.ToArray<float>());
        Assert.Equal(start + 1, Tensor.LiveCount);
        detached.Dispose();
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void Tensors_created_on_another_thread_are_not_owned_by_this_threads_scope()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Tensor? t = null;
        var thread = new Thread(() => t = Tensors.Ones([1]));
        thread.Start();
        thread.Join();
        Assert.NotNull(t);
        Assert.Equal(0, scope.Count);
        t.Dispose();
    }

    [Fact]
    public void Ending_scopes_out_of_order_throws_and_the_scopes_still_free_their_tensors()
    {
        var start = SettledLiveCount();
        var outer = TorchRuntime.NewDisposeScope();
        var a = Tensors.Ones([1]);
        var inner = TorchRuntime.NewDisposeScope();
        var b = Tensors.Ones([1]);
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        Assert.Equal(start, Tensor.LiveCount);
        // and no dead scope is left current: a new tensor belongs to a new scope only
        using (var fresh = TorchRuntime.NewDisposeScope())
        {
            Tensors.Ones([1]);
            Assert.Equal(1, fresh.Count);
        }
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void Forward_backward_loop_ten_thousand_iterations_leaks_no_tensors()
    {
        var start = SettledLiveCount();
        var w = Tensors.Full([3, 2], 0.1);
        w.RequiresGrad = true;
        float[] xData = [0.5f, -1f, 2f, 0.25f, 1f, -0.5f];
        try
        {
            var baseline = Tensor.LiveCount;
            for (var i = 0; i < 10_000; i++)
            {
                using (TorchRuntime.NewDisposeScope())
                {
                    var x = Tensor.FromArray(xData, 2, 3);
                    var y = x.Matmul(w).Tanh().Sum();
                    y.Backward();
                    var g = w.Grad ?? throw new Xunit.Sdk.XunitException("no gradient");
                    if (i == 0) Assert.Equal(new long[] { 3, 2 }, g.Shape);
                    w.Grad = null;
                }
                if (Tensor.LiveCount != baseline)
                    Assert.Fail($"iteration {i}: {Tensor.LiveCount - baseline} tensors left alive");
            }
            Assert.Null(w.Grad);
        }
        finally
        {
            w.Dispose();
        }
        Assert.Equal(start, Tensor.LiveCount);
    }

    [Fact]
    public void Manual_seed_makes_the_default_generator_reproducible()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        TorchRuntime.ManualSeed(99);
        var first = Tensors.Rand([8]).ToArray<float>();
        TorchRuntime.ManualSeed(99);
        Assert.Equal(first, Tensors.Rand([8]).ToArray<float>());
        Assert.All(first, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Grad_each_read_is_a_new_handle_owned_by_the_scope()
    {
        var start = SettledLiveCount();
        using (TorchRuntime.NewDisposeScope())
        {
            var w = D([1, 2]);
            w.RequiresGrad = true;
            w.Sum().Backward();
            var g1 = w.Grad!;
            var g2 = w.Grad!;
            Assert.NotSame(g1, g2);
            g1.Dispose();
            Assert.Equal(new[] { 1.0, 1 }, g2.ToArray<double>());
        }
        Assert.Equal(start, Tensor.LiveCount);
    }
}
