namespace StemGen.Torch.Tests;

/// <summary>Conv2d and MaxPool2d (native/src/vision.cpp) against loops written out in plain C#.</summary>
public class VisionOpsTests
{
    [Theory]
    [InlineData(1, 1, 1, 1, 1, 1)]
    [InlineData(1, 1, 0, 0, 1, 1)]
    [InlineData(2, 1, 1, 0, 1, 1)]
    [InlineData(1, 2, 2, 1, 2, 1)]
    [InlineData(1, 1, 1, 1, 1, 2)]
    public void Conv2d_matches_a_direct_loop(int strideH, int strideW, int padH, int padW, int dilation, int groups)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int batch = 2, cin = 4, cout = 6, kh = 3, kw = 2, h = 7, w = 6;
        var x = OpAssert.Noise(batch * cin * h * w, 30);
        var wt = OpAssert.Noise(cout * (cin / groups) * kh * kw, 31);
        var b = OpAssert.Noise(cout, 32);
        var y = Functional.Conv2d(OpAssert.D(x, batch, cin, h, w), OpAssert.D(wt, cout, cin / groups, kh, kw), OpAssert.D(b, cout),
            stride: (strideH, strideW), padding: (padH, padW), dilation: (dilation, dilation), groups: groups);
        var oh = (h + 2 * padH - dilation * (kh - 1) - 1) / strideH + 1;
        var ow = (w + 2 * padW - dilation * (kw - 1) - 1) / strideW + 1;
        Assert.Equal([batch, cout, (long)oh, ow], y.Shape);
        int cinPerGroup = cin / groups, coutPerGroup = cout / groups;
        var expected = new double[batch * cout * oh * ow];
        for (var n = 0; n < batch; n++)
            for (var o = 0; o < cout; o++)
                for (var i = 0; i < oh; i++)
                    for (var j = 0; j < ow; j++)
                    {
                        var sum = b[o];
                        var g = o / coutPerGroup;
                        for (var ci = 0; ci < cinPerGroup; ci++)
                            for (var u = 0; u < kh; u++)
                                for (var v = 0; v < kw; v++)
                                {
                                    int r = i * strideH - padH + u * dilation, c = j * strideW - padW + v * dilation;
                                    if (r < 0 || r >= h || c < 0 || c >= w) continue;
                                    sum += wt[((o * cinPerGroup + ci) * kh + u) * kw + v] * x[((n * cin + g * cinPerGroup + ci) * h + r) * w + c];
                                }
                        expected[((n * cout + o) * oh + i) * ow + j] = sum;
                    }
        OpAssert.Close(expected, y.ToArray<double>());
    }

    [Theory]
    [InlineData(2, 2, 2, 2, 0, false)]
    [InlineData(3, 2, 1, 2, 1, false)]
    [InlineData(2, 2, 2, 2, 0, true)]
    public void MaxPool2d_matches_a_direct_loop(int kh, int kw, int strideH, int strideW, int pad, bool ceil)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int batch = 2, channels = 3, h = 7, w = 5;
        var x = OpAssert.Noise(batch * channels * h * w, 40);
        var y = Functional.MaxPool2d(OpAssert.D(x, batch, channels, h, w), (kh, kw), (strideH, strideW), (pad, pad), ceil);
        int Out(int size, int k, int s)
        {
            var span = size + 2 * pad - k;
            var o = (ceil ? (span + s - 1) / s : span / s) + 1;
            // torch drops a last window that would start inside the right padding only
            if (ceil && (o - 1) * s >= size + pad) o--;
            return o;
        }
        int oh = Out(h, kh, strideH), ow = Out(w, kw, strideW);
        Assert.Equal([batch, channels, (long)oh, ow], y.Shape);
        var expected = new double[batch * channels * oh * ow];
        for (var n = 0; n < batch * channels; n++)
            for (var i = 0; i < oh; i++)
                for (var j = 0; j < ow; j++)
                {
                    var best = double.NegativeInfinity;
                    for (var u = 0; u < kh; u++)
                        for (var v = 0; v < kw; v++)
                        {
                            int r = i * strideH - pad + u, c = j * strideW - pad + v;
                            if (r < 0 || r >= h || c < 0 || c >= w) continue;
                            best = Math.Max(best, x[(n * h + r) * w + c]);
                        }
                    expected[(n * oh + i) * ow + j] = best;
                }
        OpAssert.Close(expected, y.ToArray<double>());
    }

    [Fact]
    public void MaxPool2d_stride_defaults_to_the_kernel()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = OpAssert.D(OpAssert.Iota(16), 1, 1, 4, 4);
        var y = Functional.MaxPool2d(x, (2, 2));
        Assert.Equal([1L, 1, 2, 2], y.Shape);
        Assert.Equal([5.0, 7, 13, 15], y.ToArray<double>());
    }

    [Fact]
    public void Conv2d_with_mismatched_channels_names_the_problem()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = Tensors.Zeros([1, 3, 5, 5], ScalarType.Float64);
        var w = Tensors.Zeros([2, 4, 3, 3], ScalarType.Float64);
        var error = Assert.ThrowsAny<TorchException>(() => Functional.Conv2d(x, w));
        Assert.Contains("channels", error.Message);
    }
}
