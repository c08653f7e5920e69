using StemGen.Torch;
using StemGen.Torch.Modules;

namespace StemGen.Model.Codec;

/// <summary>One entry of a SEANet layer list (HF `encoder.layers.{i}`): every layer maps (B, C, L) to (B, C', L').</summary>
public abstract class SeanetLayer : Module
{
    public abstract Tensor Forward(Tensor x);

    /// <summary>Runs <paramref name="layers"/> in order, freeing each intermediate (never the input) as soon as it is used.</summary>
    internal static Tensor Sequential(IEnumerable<SeanetLayer> layers, Tensor x)
    {
        var h = x;
        foreach (var layer in layers)
        {
            var next = layer.Forward(h);
            if (!ReferenceEquals(h, x)) h.Dispose();
            h = next;
        }
        return ReferenceEquals(h, x) ? x.Alias() : h;
    }
}

/// <summary>ELU(alpha = 1); it holds no tensors but takes its index in the layer list, as in HF.</summary>
public sealed class EluLayer : SeanetLayer
{
    public override Tensor Forward(Tensor x) => x.Elu();
}

/// <summary>The non-causal padding rules of EnCodec's SEANet convs (docs/encodec.md).</summary>
public static class ConvPadding
{
    /// <summary>k_eff = (k - 1) * dilation + 1.</summary>
    public static long EffectiveKernel(long kernel, long dilation) => (kernel - 1) * dilation + 1;

    /// <summary>
    /// (left, right) padding of a non-causal conv over <paramref name="length"/> samples:
    /// pad_total = k_eff - stride; frames = (L - k_eff + pad_total) / stride + 1;
    /// ideal = (ceil(frames) - 1) * stride + k_eff - pad_total; extra = ideal - L;
    /// right = pad_total / 2 + extra, left = pad_total - pad_total / 2. The output then has
    /// ceil(L / stride) frames.
    /// </summary>
    public static (long Left, long Right) ForConv(long length, long kernel, long stride = 1, long dilation = 1)
    {
        var kEff = EffectiveKernel(kernel, dilation);
        var padTotal = kEff - stride;
        if (padTotal < 0) throw new ArgumentException($"kernel {kernel} (effective {kEff}) is shorter than stride {stride}");
        var frames = CeilDiv(length - kEff + padTotal, stride) + 1; // ceil((L - k_eff + pad_total) / stride + 1)
        var ideal = (frames - 1) * stride + kEff - padTotal;
        var extra = ideal - length;
        var right = padTotal / 2;
        return (padTotal - right, right + extra);
    }

    /// <summary>(left, right) samples a transposed conv trims: pad_total = k - stride, right = pad_total / 2, left = the rest.</summary>
    public static (long Left, long Right) ForTransposedConv(long kernel, long stride)
    {
        var padTotal = kernel - stride;
        if (padTotal < 0) throw new ArgumentException($"kernel {kernel} is shorter than stride {stride}");
        var right = padTotal / 2;
        return (padTotal - right, right);
    }

    /// <summary>
    /// Pads the last dimension. Reflect padding needs more samples than it pads, so a too-short
    /// input (L &lt;= max(left, right)) is first zero-padded on the right by max - L + 1, reflected,
    /// and those extra samples are cut from the end again (as EnCodec's _pad1d).
    /// </summary>
    public static Tensor Pad1d(Tensor x, long left, long right, PadMode mode)
    {
        if (mode != PadMode.Reflect) return x.Pad([left, right], mode);
        var length = x.Size(-1);
        var maxPad = Math.Max(left, right);
        if (length > maxPad) return x.Pad([left, right], PadMode.Reflect);
        var extra = maxPad - length + 1;
        using var zeroPadded = x.Pad([0, extra]);
        using var padded = zeroPadded.Pad([left, right], PadMode.Reflect);
        return padded.Narrow(-1, 0, padded.Size(-1) - extra);
    }

    internal static long CeilDiv(long a, long b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}

/// <summary>
/// EnCodec's non-causal Conv1d: pads per <see cref="ConvPadding.ForConv"/>, then convolves. The
/// weight is the folded weight-norm weight; it sits at `conv.weight` (`conv.weight_g`/`weight_v` in files).
/// </summary>
public sealed class NonCausalConv1d : SeanetLayer
{
    public NonCausalConv1d(long inChannels, long outChannels, long kernel, long stride = 1, long dilation = 1, PadMode padMode = PadMode.Reflect)
    {
        Conv = RegisterModule("conv", new Conv1d(inChannels, outChannels, kernel, stride, padding: 0, dilation: dilation));
        (Kernel, Stride, Dilation, PadMode) = (kernel, stride, dilation, padMode);
    }

    public Conv1d Conv { get; }
    public long Kernel { get; }
    public long Stride { get; }
    public long Dilation { get; }
    public PadMode PadMode { get; }

    public override Tensor Forward(Tensor x)
    {
        var (left, right) = ConvPadding.ForConv(x.Size(-1), Kernel, Stride, Dilation);
        using var padded = ConvPadding.Pad1d(x, left, right, PadMode);
        return Conv.Forward(padded);
    }
}

/// <summary>EnCodec's non-causal ConvTranspose1d: (T) -> (T * stride) after trimming k - stride samples.</summary>
public sealed class NonCausalConvTranspose1d : SeanetLayer
{
    public NonCausalConvTranspose1d(long inChannels, long outChannels, long kernel, long stride)
    {
        Conv = RegisterModule("conv", new ConvTranspose1d(inChannels, outChannels, kernel, stride));
        (Kernel, Stride) = (kernel, stride);
    }

    public ConvTranspose1d Conv { get; }
    public long Kernel { get; }
    public long Stride { get; }

    public override Tensor Forward(Tensor x)
    {
        using var y = Polyphase(x, Conv.Weight, Conv.Bias, Stride); // (B, Cout, (T - 1) * s + k)
        var (left, right) = ConvPadding.ForTransposedConv(Kernel, Stride);
        return y.Narrow(-1, left, y.Size(-1) - left - right);
    }

    /// <summary>
    /// conv_transpose1d(x, w, stride s) computed as an ordinary convolution, which libtorch 1.13
    /// runs through oneDNN; its own CPU transposed conv was 1.6-2.5x slower on the EnCodec decoder
    /// shapes (far more on a loaded machine). With the kernel zero-padded to m * s taps, output sample u * s + r is
    /// sum_j sum_c x[c, u - j] w[c, o, j * s + r]: for each phase r a conv of x with m taps
    /// (reversed), padded m - 1 on both sides. The s phases become s * Cout output channels that
    /// are interleaved back into time. Same values and gradients as the transposed conv.
    /// </summary>
    internal static Tensor Polyphase(Tensor x, Tensor weight, Tensor? bias, long stride)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (cin, cout, k) = (weight.Size(0), weight.Size(1), weight.Size(2));
        var (b, t) = (x.Size(0), x.Size(2));
        var taps = (k + stride - 1) / stride;                                     // m
        var w = k == taps * stride ? weight : weight.Pad([0, taps * stride - k]); // (Cin, Cout, m * s)
        var phases = w.View(cin, cout, taps, stride)
            .Permute(1, 3, 0, 2)                                                  // (Cout, s, Cin, m)
            .Flip(3)
            .Reshape(cout * stride, cin, taps);
        var y = Functional.Conv1d(x, phases, padding: taps - 1);                  // (B, Cout * s, T + m - 1)
        var frames = t + taps - 1;
        var interleaved = y.View(b, cout, stride, frames).Transpose(2, 3).Reshape(b, cout, frames * stride);
        var full = (t - 1) * stride + k;
        var result = interleaved.Narrow(2, 0, full);
        if (bias is not null) result = result + bias.View(1, cout, 1);
        return result.MoveToOuterScope();
    }
}
