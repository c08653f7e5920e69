using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class CreationTests
{
    [Fact]
    public void Zeros_has_shape_dtype_and_only_zeros()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([2, 3]);
        Shape([2, 3], t);
        Assert.Equal(ScalarType.Float32, t.DType);
        Assert.Equal(new float[6], t.ToArray<float>());
    }

    [Fact]
    public void Ones_with_int64_dtype_is_all_ones()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Ones([4], ScalarType.Int64);
        Assert.Equal(ScalarType.Int64, t.DType);
        Assert.Equal(new long[] { 1, 1, 1, 1 }, t.ToArray<long>());
    }

    [Fact]
    public void Full_fills_every_element_with_the_value()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Full([2, 2], 2.5, ScalarType.Float64);
        Assert.Equal(new[] { 2.5, 2.5, 2.5, 2.5 }, t.ToArray<double>());
    }

    [Fact]
    public void Empty_has_requested_shape_and_dtype()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Empty([3, 0, 2], ScalarType.Int32);
        Shape([3, 0, 2], t);
        Assert.Equal(0, t.NumEl);
        Assert.Equal(ScalarType.Int32, t.DType);
    }

    [Fact]
    public void Zeros_with_empty_shape_is_a_scalar()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([]);
        Assert.Equal(0, t.Dim);
        Assert.Equal(1, t.NumEl);
    }

    [Fact]
    public void Arange_int64_counts_from_zero_to_end_exclusive()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Arange(5);
        Assert.Equal(ScalarType.Int64, t.DType);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, t.ToArray<long>());
    }

    [Fact]
    public void Arange_with_fractional_step_matches_start_plus_I_step()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Arange(1, 2, 0.25, ScalarType.Float64);
        Assert.Equal(new[] { 1.0, 1.25, 1.5, 1.75 }, t.ToArray<double>());
    }

    [Fact]
    public void Arange_with_negative_step_counts_down()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Arange(3, -3, -2);
        Assert.Equal(new long[] { 3, 1, -1 }, t.ToArray<long>());
    }

    [Fact]
    public void Linspace_includes_both_ends_evenly_spaced()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Linspace(-1, 1, 5, ScalarType.Float64);
        Close([-1, -0.5, 0, 0.5, 1], t, 1e-12);
    }

    [Fact]
    public void Eye_has_ones_on_the_diagonal_only()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Eye(3);
        Shape([3, 3], t);
        var v = t.ToArray<float>();
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                Assert.Equal(i == j ? 1f : 0f, v[i * 3 + j]);
    }

    [Fact]
    public void Scalar_is_zero_dimensional_and_reads_back()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensor.Scalar(42L);
        Assert.Equal(0, t.Dim);
        Assert.Equal(42, t.ToInt64());
        Assert.Equal(3.5, Tensor.Scalar(3.5).ToDouble());
        Assert.True(Tensor.Scalar(true).ToBoolean());
    }

    [Fact]
    public void From_array_with_shape_keeps_row_major_order()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensor.FromArray(new[] { 1f, 2, 3, 4, 5, 6 }, 2, 3);
        Shape([2, 3], t);
        using var row = t.Select(0, 1);
        Assert.Equal(new[] { 4f, 5, 6 }, row.ToArray<float>());
    }

    [Fact]
    public void From_array_with_shape_not_matching_data_throws_argument_exception()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(new[] { 1f, 2, 3 }, 2, 2));
    }

    [Fact]
    public void From_bytes_with_negative_dimension_throws_argument_exception()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromBytes(new byte[4], ScalarType.Float32, [-1]));
    }
}
