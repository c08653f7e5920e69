using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class CodecWeightNormTests
{
    /// <summary>g * v / ||v|| with a plain loop; keep[d] says which dims g keeps (the norm runs over the others).</summary>
    private static double[] FoldByLoop(float[] g, float[] v, int[] shape, bool[] keep)
    {
        var strides = new int[3];
        strides[2] = 1;
        strides[1] = shape[2];
        strides[0] = shape[1] * shape[2];
        int GIndex(int i, int j, int k)
        {
            var (a, b, c) = (keep[0] ? i : 0, keep[1] ? j : 0, keep[2] ? k : 0);
            var (gb, gc) = (keep[1] ? shape[1] : 1, keep[2] ? shape[2] : 1);
            return (a * gb + b) * gc + c;
        }
        var norms = new double[g.Length];
        for (var i = 0; i < shape[0]; i++)
            for (var j = 0; j < shape[1]; j++)
                for (var k = 0; k < shape[2]; k++)
                {
                    double x = v[i * strides[0] + j * strides[1] + k];
                    norms[GIndex(i, j, k)] += x * x;
                }
        var result = new double[v.Length];
        for (var i = 0; i < shape[0]; i++)
            for (var j = 0; j < shape[1]; j++)
                for (var k = 0; k < shape[2]; k++)
                {
                    var gi = GIndex(i, j, k);
                    result[i * strides[0] + j * strides[1] + k] = g[gi] * v[i * strides[0] + j * strides[1] + k] / Math.Sqrt(norms[gi]);
                }
        return result;
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * (1 + Math.Abs(expected[i])), $"element {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void Folding_a_conv_weight_equals_g_v_over_norm_of_v_over_all_dims_but_0()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var g = Tensors.Rand([4, 1, 1]) + 0.5;
        var v = Tensors.Randn([4, 3, 5]);
        var folded = WeightNorm.Fold(g, v);
        AssertClose(FoldByLoop(CodecTestData.Values(g), CodecTestData.Values(v), [4, 3, 5], [true, false, false]), CodecTestData.Values(folded));
    }

    [Fact]
    public void Folding_a_transposed_conv_weight_keeps_whichever_dim_g_keeps()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var v = Tensors.Randn([3, 2, 6]); // (in, out, k)
        var g0 = Tensors.Rand([3, 1, 1]) + 0.5;
        AssertClose(FoldByLoop(CodecTestData.Values(g0), CodecTestData.Values(v), [3, 2, 6], [true, false, false]), CodecTestData.Values(WeightNorm.Fold(g0, v)));
        var g1 = Tensors.Rand([1, 2, 1]) + 0.5;
        AssertClose(FoldByLoop(CodecTestData.Values(g1), CodecTestData.Values(v), [3, 2, 6], [false, true, false]), CodecTestData.Values(WeightNorm.Fold(g1, v)));
    }

    [Fact]
    public void Splitting_then_folding_gives_the_weight_back()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var w = Tensors.Randn([5, 2, 3]);
        var (g, v) = WeightNorm.Split(w);
        Assert.Equal([5L, 1, 1], g.Shape);
        Assert.Equal(CodecTestData.Values(w), CodecTestData.Values(WeightNorm.Fold(g, v))); // bit for bit
        var (g1, v1) = WeightNorm.Split(Tensors.Randn([1, 4, 3])); // a single output channel: the norm over everything
        Assert.Equal(CodecTestData.Values(v1), CodecTestData.Values(WeightNorm.Fold(g1, v1)));
    }
}
