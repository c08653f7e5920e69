using StemGen.Torch.Interop;

namespace StemGen.Torch;

/// <summary>Stateless layers and losses (torch.nn.functional). Optional tensors may be null.</summary>
public static class Functional
{
    /// <summary>x W^T + b over the last dimension.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(Native.sg_linear(x.Handle, weight.Handle, Tensor.Of(bias)));

    /// <summary>Rows of <paramref name="weight"/> picked by integer <paramref name="indices"/>.</summary>
    public static Tensor Embedding(Tensor weight, Tensor indices) =>
        Tensor.Wrap(Native.sg_embedding(weight.Handle, indices.Handle));

    /// <summary>1-d convolution of (B, Cin, L) by (Cout, Cin/groups, K).</summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
        Tensor.Wrap(Native.sg_conv1d(x.Handle, weight.Handle, Tensor.Of(bias), stride, padding, dilation, groups));

    /// <summary>Transposed 1-d convolution of (B, Cin, L) by (Cin, Cout/groups, K).</summary>
    public static Tensor ConvTranspose1d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
        long outputPadding = 0, long groups = 1, long dilation = 1) =>
        Tensor.Wrap(Native.sg_conv_transpose1d(x.Handle, weight.Handle, Tensor.Of(bias), stride, padding, outputPadding, groups, dilation));

    /// <summary>2-d convolution of (B, Cin, H, W) by (Cout, Cin/groups, kH, kW); stride, padding and dilation as (h, w).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, (long H, long W)? stride = null, (long H, long W)? padding = null,
        (long H, long W)? dilation = null, long groups = 1)
    {
        var (sh, sw) = stride ?? (1, 1);
        var (ph, pw) = padding ?? (0, 0);
        var (dh, dw) = dilation ?? (1, 1);
        return Tensor.Wrap(Native.sg_conv2d(x.Handle, weight.Handle, Tensor.Of(bias), sh, sw, ph, pw, dh, dw, groups));
    }

    /// <summary>2-d max pooling of (B, C, H, W) (or (C, H, W)); stride defaults to the kernel size (torch's default).</summary>
    public static Tensor MaxPool2d(Tensor x, (long H, long W) kernel, (long H, long W)? stride = null, (long H, long W)? padding = null, bool ceilMode = false)
    {
        var (sh, sw) = stride ?? kernel;
        var (ph, pw) = padding ?? (0, 0);
        return Tensor.Wrap(Native.sg_max_pool2d(x.Handle, kernel.H, kernel.W, sh, sw, ph, pw, ceilMode ? 1 : 0));
    }

    public static unsafe Tensor LayerNorm(Tensor x, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        fixed (long* p = normalizedShape)
            return Tensor.Wrap(Native.sg_layer_norm(x.Handle, p, normalizedShape.Length, Tensor.Of(weight), Tensor.Of(bias), eps));
    }

    /// <summary>x * rsqrt(mean(x^2) + eps) * weight over the last dimension, computed in float32.</summary>
    public static Tensor RmsNorm(Tensor x, Tensor? weight = null, double eps = 1e-5) =>
        Tensor.Wrap(Native.sg_rms_norm(x.Handle, Tensor.Of(weight), eps));

    public static Tensor Dropout(Tensor x, double p, bool training)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        return Tensor.Wrap(Native.sg_dropout(x.Handle, p, training ? 1 : 0));
    }

    /// <summary>
    /// Multi-layer LSTM. <paramref name="weights"/> per layer: w_ih (4H, I), w_hh (4H, H) and, when
    /// <paramref name="hasBiases"/>, b_ih and b_hh (4H); gate order i, f, g, o. Input (T, B, I), or
    /// (B, T, I) when batchFirst. Returns the output and the final hidden and cell states (L, B, H).
    /// </summary>
    public static unsafe (Tensor Output, Tensor Hidden, Tensor Cell) Lstm(Tensor x, IReadOnlyList<Tensor> weights, long layers,
        bool hasBiases = true, Tensor? h0 = null, Tensor? c0 = null, double dropout = 0, bool training = false, bool batchFirst = false)
    {
        var perLayer = hasBiases ? 4 : 2;
        if (weights.Count != perLayer * layers)
            throw new ArgumentException($"an LSTM of {layers} layers {(hasBiases ? "with" : "without")} biases takes {perLayer * layers} weight tensors, got {weights.Count}", nameof(weights));
        using var borrowed = new BorrowedHandles(weights);
        fixed (IntPtr* p = borrowed.Pointers)
        {
            var output = Native.sg_lstm(x.Handle, Tensor.Of(h0), Tensor.Of(c0), p, weights.Count, hasBiases ? 1 : 0, layers,
                dropout, training ? 1 : 0, batchFirst ? 1 : 0, out var hn, out var cn);
            var result = Tensor.Wrap(output);
            return (result, new Tensor(hn), new Tensor(cn));
        }
    }

    /// <summary>
    /// softmax(q k^T / sqrt(Dh) [+ mask]) v over (B, H, T, Dh), with libtorch's fused kernel where it
    /// has one (2.0+). A boolean mask says which positions may be attended; a float mask is added.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask = null, double dropout = 0, bool isCausal = false) =>
        Tensor.Wrap(Native.sg_sdpa(q.Handle, k.Handle, v.Handle, Tensor.Of(mask), dropout, isCausal ? 1 : 0));

    /// <summary>
    /// Cross entropy of logits (N, C[, ...]) against class indices (N[, ...]); targets equal to
    /// <paramref name="ignoreIndex"/> contribute nothing; label smoothing as torch.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
        long ignoreIndex = -100, double labelSmoothing = 0)
    {
        if (labelSmoothing is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 1]");
        return Tensor.Wrap(Native.sg_cross_entropy(logits.Handle, target.Handle, Tensor.Of(weight), (long)reduction, ignoreIndex, labelSmoothing));
    }

    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Reduction reduction = Reduction.Mean, long ignoreIndex = -100) =>
        Tensor.Wrap(Native.sg_nll_loss(logProbabilities.Handle, target.Handle, (long)reduction, ignoreIndex));

    public static Tensor L1Loss(Tensor a, Tensor b, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(Native.sg_l1_loss(a.Handle, b.Handle, (long)reduction));

    public static Tensor MseLoss(Tensor a, Tensor b, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(Native.sg_mse_loss(a.Handle, b.Handle, (long)reduction));
}
