using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class ErrorTests
{
    [Fact]
    public void Matmul_of_incompatible_shapes_throws_torch_exception_with_libtorch_message()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Zeros([2, 3]).Matmul(Tensors.Zeros([4, 5])));
        Assert.Contains("shapes cannot be multiplied", e.Message);
        Assert.Contains("2x3 and 4x5", e.Message);
    }

    [Fact]
    public void Add_of_mismatched_sizes_throws_torch_exception_saying_the_sizes_must_match()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Zeros([2]).Add(Tensors.Zeros([3])));
        Assert.Contains("must match", e.Message);
        Assert.Contains("size", e.Message);
        Assert.Equal(TorchErrorKind.Generic, e.Kind);
    }

    [Fact]
    public void After_a_native_error_later_ops_still_work()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Throws<TorchException>(() => Tensors.Zeros([2]).Add(Tensors.Zeros([3])));
        Assert.Equal(new[] { 2f, 2 }, (Tensors.Ones([2]) + Tensors.Ones([2])).ToArray<float>());
    }

    [Fact]
    public void Error_messages_describe_the_latest_failure_only()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var first = Assert.Throws<TorchException>(() => Tensors.Zeros([2, 3]).Matmul(Tensors.Zeros([4, 5])));
        var second = Assert.Throws<TorchException>(() => Tensors.Zeros([2]).Reshape(3));
        Assert.DoesNotContain("multiplied", second.Message);
        Assert.Contains("[3]", second.Message);
        Assert.NotEqual(first.Message, second.Message);
    }

    [Fact]
    public void Select_out_of_range_throws_torch_exception_of_kind_index()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Zeros([3]).Select(0, 5));
        Assert.Equal(TorchErrorKind.Index, e.Kind);
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void Dimension_out_of_range_throws_torch_exception_of_kind_index()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Zeros([2, 2]).Sum(2));
        Assert.Equal(TorchErrorKind.Index, e.Kind);
        Assert.Contains("Dimension out of range", e.Message);
    }

    [Fact]
    public void Index_select_with_out_of_range_index_throws_torch_exception_of_kind_index()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Zeros([3]).IndexSelect(0, L([0, 3])));
        Assert.Equal(TorchErrorKind.Index, e.Kind);
        Assert.Contains("index out of range in self", e.Message);
    }

    [Fact]
    public void Gather_with_out_of_range_index_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Zeros([3]).Gather(0, L([7])));
        Assert.Contains("index 7 is out of bounds", e.Message);
        Assert.Equal(TorchErrorKind.Generic, e.Kind); // libtorch 1.13 checks gather bounds with TORCH_CHECK, not an IndexError
    }

    [Fact]
    public void Index_with_out_of_range_long_index_throws_torch_exception_of_kind_index()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Zeros([3]).Index(L([3])));
        Assert.Equal(TorchErrorKind.Index, e.Kind);
        Assert.Contains("out of bounds", e.Message);
    }

    [Fact]
    public void Narrow_past_the_end_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Zeros([3]).Narrow(0, 2, 2));
        Assert.Contains("exceeds dimension size", e.Message);
    }

    [Fact]
    public void Cat_of_mismatched_shapes_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Tensors.Cat([Tensors.Zeros([2, 2]), Tensors.Zeros([2, 3])], 0));
        Assert.Contains("Sizes of tensors must match", e.Message);
    }

    [Fact]
    public void Using_a_disposed_tensor_throws_object_disposed_exception()
    {
        var t = Tensors.Zeros([2]);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.Sum());
        Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.Equal("Tensor(disposed)", t.ToString());
    }

    [Fact]
    public void Passing_a_disposed_tensor_as_argument_throws_object_disposed_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var live = Tensors.Zeros([2]);
        var dead = Tensors.Zeros([2]);
        dead.Dispose();
        Assert.Throws<ObjectDisposedException>(() => live.Add(dead));
        Assert.Throws<ObjectDisposedException>(() => Tensors.Cat([live, dead]));
    }

    [Fact]
    public void Disposing_twice_is_harmless()
    {
        var t = Tensors.Zeros([2]);
        t.Dispose();
        t.Dispose();
        Assert.True(t.IsDisposed);
    }

    [Fact]
    public void To_array_of_float_on_int64_tensor_throws_invalid_operation_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<InvalidOperationException>(() => L([1, 2]).ToArray<float>());
        Assert.Contains("Int64", e.Message);
    }

    [Fact]
    public void To_array_of_unsupported_element_type_throws_not_supported_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Throws<NotSupportedException>(() => L([1, 2]).ToArray<ulong>());
    }

    [Fact]
    public void To_int64_of_multi_element_tensor_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => L([1, 2]).ToInt64());
        Assert.Contains("cannot be converted", e.Message);
    }

    [Fact]
    public void Split_and_chunk_with_non_positive_counts_throw_argument_out_of_range()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Split(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Chunk(0));
    }

    [Fact]
    public void Native_errors_on_parallel_threads_keep_their_own_messages()
    {
        var messages = new string[8];
        Parallel.For(0, messages.Length, i =>
        {
            using var scope = TorchRuntime.NewDisposeScope();
            try
            {
                Tensors.Zeros([2]).Reshape(3 + i);
            }
            catch (TorchException e)
            {
                messages[i] = e.Message;
            }
        });
        for (var i = 0; i < messages.Length; i++) Assert.Contains($"[{3 + i}]", messages[i]);
    }
}
