using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class CodecPaddingTests
{
    [Theory]
    // length, kernel, stride, dilation -> left, right (right includes the extra padding), by hand from docs/encodec.md
    [InlineData(10, 7, 1, 1, 3, 3)]     // pad_total 6, no extra
    [InlineData(10, 8, 4, 1, 2, 4)]     // pad_total 4; frames 2.5 -> 3; ideal 12; extra 2
    [InlineData(12, 10, 5, 1, 3, 5)]    // pad_total 5 -> right 2, left 3; frames 2.4 -> 3; ideal 15; extra 3
    [InlineData(1, 16, 8, 1, 4, 11)]    // frames 0.125 -> 1; ideal 8; extra 7
    [InlineData(640, 16, 8, 1, 4, 4)]   // exact multiple: no extra
    [InlineData(641, 16, 8, 1, 4, 11)]  // one sample over: frames 81, ideal 648, extra 7
    [InlineData(9, 3, 1, 2, 2, 2)]      // dilation 2: k_eff 5, pad_total 4
    [InlineData(7, 7, 2, 1, 3, 3)]      // odd pad_total 5 -> left 3, right 2; frames 3.5 -> 4; ideal 8; extra 1
    [InlineData(5, 1, 1, 1, 0, 0)]      // 1x1 conv pads nothing
    public void Conv_padding_matches_hand_computed_cases(long length, long kernel, long stride, long dilation, long left, long right)
    {
        Assert.Equal((left, right), ConvPadding.ForConv(length, kernel, stride, dilation));
    }

    [Fact]
    public void Padded_conv_gives_ceil_length_over_stride_frames()
    {
        foreach (var (kernel, stride) in new[] { (8L, 4L), (10L, 5L), (16L, 8L), (7L, 1L), (3L, 1L), (4L, 2L) })
            for (long length = 1; length <= 70; length++)
            {
                var (left, right) = ConvPadding.ForConv(length, kernel, stride);
                var outLength = (length + left + right - kernel) / stride + 1;
                Assert.Equal((length + stride - 1) / stride, outLength);
                Assert.Equal(0, (length + left + right - kernel) % stride);
            }
    }

    [Fact]
    public void Transposed_conv_trim_splits_k_minus_stride_with_the_larger_half_left()
    {
        Assert.Equal((2L, 2L), ConvPadding.ForTransposedConv(8, 4));
        Assert.Equal((3L, 2L), ConvPadding.ForTransposedConv(10, 5));
        Assert.Equal((4L, 4L), ConvPadding.ForTransposedConv(16, 8));
    }

    [Fact]
    public void Reflect_padding_mirrors_without_repeating_the_edge()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = Tensor.FromArray([1f, 2, 3, 4, 5], 1, 1, 5);
        Assert.Equal([3f, 2, 1, 2, 3, 4, 5, 4], CodecTestData.Values(ConvPadding.Pad1d(x, 2, 1, PadMode.Reflect)));
    }

    [Fact]
    public void Reflect_padding_of_a_too_short_input_zero_pads_first()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        // [a, b] padded (3, 3): zero-pad to [a, b, 0, 0], reflect to [0, 0, b, a, b, 0, 0, 0, b, a], drop the 2 extra samples.
        var two = Tensor.FromArray([1f, 2], 1, 1, 2);
        Assert.Equal([0f, 0, 2, 1, 2, 0, 0, 0], CodecTestData.Values(ConvPadding.Pad1d(two, 3, 3, PadMode.Reflect)));
        // [x] padded (3, 3): [x, 0, 0, 0] -> [0, 0, 0, x, 0, 0, 0, 0, 0, x] -> drop 3.
        var one = Tensor.FromArray([5f], 1, 1, 1);
        Assert.Equal([0f, 0, 0, 5, 0, 0, 0], CodecTestData.Values(ConvPadding.Pad1d(one, 3, 3, PadMode.Reflect)));
        // Constant mode needs no trick.
        Assert.Equal([0f, 0, 0, 5, 0, 0, 0], CodecTestData.Values(ConvPadding.Pad1d(one, 3, 3, PadMode.Constant)));
    }

    [Fact]
    public void Non_causal_conv_pads_by_the_rule_then_convolves()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var conv = new NonCausalConv1d(2, 3, kernel: 8, stride: 4);
        var x = Tensors.Randn([2, 2, 10]);
        var expected = Functional.Conv1d(x.Pad([2, 4], PadMode.Reflect), conv.Conv.Weight, conv.Conv.Bias, stride: 4);
        var actual = conv.Forward(x);
        Assert.Equal([2L, 3, 3], actual.Shape);
        Assert.Equal(CodecTestData.Values(expected), CodecTestData.Values(actual));
    }

    [Fact]
    public void Transposed_conv_output_is_frames_times_stride_cut_from_the_full_output()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var conv = new NonCausalConvTranspose1d(3, 2, kernel: 10, stride: 5);
        var x = Tensors.Randn([1, 3, 4]);
        var full = Functional.ConvTranspose1d(x, conv.Conv.Weight, conv.Conv.Bias, stride: 5); // (4 - 1) * 5 + 10 = 25
        var actual = conv.Forward(x);
        Assert.Equal([1L, 2, 20], actual.Shape);
        CodecTestData.AssertClose(CodecTestData.Values(full.Narrow(2, 3, 20)), CodecTestData.Values(actual));
    }

    [Theory]
    [InlineData(8, 4)]
    [InlineData(10, 5)]
    [InlineData(16, 8)]
    [InlineData(7, 3)] // kernel not a multiple of the stride
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(4, 4)]
    public void Polyphase_transposed_conv_equals_libtorch_in_values_and_gradients(long kernel, long stride)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = Tensors.Randn([2, 3, 6]);
        var weight = Tensors.Randn([3, 4, kernel]);
        var bias = Tensors.Randn([4]);
        foreach (var t in new[] { x, weight, bias }) t.RequiresGrad = true;

        var reference = Functional.ConvTranspose1d(x, weight, bias, stride);
        var probe = Tensors.Randn(reference.Shape);
        (reference * probe).Sum().Backward();
        var expectedGrads = new[] { x, weight, bias }.Select(t => CodecTestData.Values(t.Grad!)).ToArray();
        foreach (var t in new[] { x, weight, bias }) t.Grad = null;

        var actual = NonCausalConvTranspose1d.Polyphase(x, weight, bias, stride);
        Assert.Equal(reference.Shape, actual.Shape);
        CodecTestData.AssertClose(CodecTestData.Values(reference), CodecTestData.Values(actual));
        (actual * probe).Sum().Backward();
        var grads = new[] { x, weight, bias }.Select(t => CodecTestData.Values(t.Grad!)).ToArray();
        for (var i = 0; i < 3; i++) CodecTestData.AssertClose(expectedGrads[i], grads[i], 1e-4);
    }
}
