using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class CreationTests
{
    [Fact]
    public void Zeros_HasShapeDtypeAndOnlyZeros()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([2, 3]);
        Shape([2, 3], t);
        Assert.Equal(ScalarType.Float32, t.DType);
        Assert.Equal(new float[6], t.ToArray<float>());
    }

    [Fact]
    public void Ones_WithInt64Dtype_IsAllOnes()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Ones([4], ScalarType.Int64);
        Assert.Equal(ScalarType.Int64, t.DType);
        Assert.Equal(new long[] { 1, 1, 1, 1 }, t.ToArray<long>());
    }

    [Fact]
    public void Full_FillsEveryElementWithTheValue()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Full([2, 2], 2.5, ScalarType.Float64);
        Assert.Equal(new[] { 2.5, 2.5, 2.5, 2.5 }, t.ToArray<double>());
    }

    [Fact]
    public void Empty_HasRequestedShapeAndDtype()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Empty([3, 0, 2], ScalarType.Int32);
        Shape([3, 0, 2], t);
        Assert.Equal(0, t.NumEl);
        Assert.Equal(ScalarType.Int32, t.DType);
    }

    [Fact]
    public void Zeros_WithEmptyShape_IsAScalar()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([]);
        Assert.Equal(0, t.Dim);
        Assert.Equal(1, t.NumEl);
    }

    [Fact]
    public void Arange_Int64_CountsFromZeroToEndExclusive()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Arange(5);
        Assert.Equal(ScalarType.Int64, t.DType);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, t.ToArray<long>());
    }

    [Fact]
    public void Arange_WithFractionalStep_MatchesStartPlusIStep()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Arange(1, 2, 0.25, ScalarType.Float64);
        Assert.Equal(new[] { 1.0, 1.25, 1.5, 1.75 }, t.ToArray<double>());
    }

    [Fact]
    public void Arange_WithNegativeStep_CountsDown()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Arange(3, -3, -2);
        Assert.Equal(new long[] { 3, 1, -1 }, t.ToArray<long>());
    }

    [Fact]
    public void Linspace_IncludesBothEndsEvenlySpaced()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Linspace(-1, 1, 5, ScalarType.Float64);
        Close([-1, -0.5, 0, 0.5, 1], t, 1e-12);
    }

    [Fact]
    public void Eye_HasOnesOnTheDiagonalOnly()
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
    public void Scalar_IsZeroDimensionalAndReadsBack()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensor.Scalar(42L);
        Assert.Equal(0, t.Dim);
        Assert.Equal(42, t.ToInt64());
        Assert.Equal(3.5, Tensor.Scalar(3.5).ToDouble());
        Assert.True(Tensor.Scalar(true).ToBoolean());
    }

    [Fact]
    public void FromArray_WithShape_KeepsRowMajorOrder()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensor.FromArray(new[] { 1f, 2, 3, 4, 5, 6 }, 2, 3);
        Shape([2, 3], t);
        using var row = t.Select(0, 1);
        Assert.Equal(new[] { 4f, 5, 6 }, row.ToArray<float>());
    }

    [Fact]
    public void FromArray_WithShapeNotMatchingData_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(new[] { 1f, 2, 3 }, 2, 2));
    }

    [Fact]
    public void FromBytes_WithNegativeDimension_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromBytes(new byte[4], ScalarType.Float32, [-1]));
    }
}
