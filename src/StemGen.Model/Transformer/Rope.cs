using StemGen.Torch;

namespace StemGen.Model.Transformer;

/// <summary>
/// Rotary position embedding (RoFormer, as in LLaMA). Pairing convention, used everywhere in this
/// project: the "halves" layout (GPT-NeoX, Hugging Face LLaMA): feature i is rotated together with
/// feature i + Dh/2, by angle position * theta^(-2i/Dh).
/// </summary>
public static class Rope
{
    /// <summary>cos and sin tables, each (maxSequence, headDim/2), float32.</summary>
    public static (Tensor Cos, Tensor Sin) Tables(int maxSequence, int headDim, double theta, Device? device = null)
    {
        if (headDim % 2 != 0) throw new ArgumentException($"rotary embedding needs an even head width (got {headDim})", nameof(headDim));
        var half = headDim / 2;
        var angles = new float[maxSequence * half];
        for (var i = 0; i < half; i++)
        {
            var frequency = Math.Pow(theta, -2.0 * i / headDim);
            for (var pos = 0; pos < maxSequence; pos++) angles[pos * half + i] = (float)(pos * frequency);
        }
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Tensor.FromSpan<float>(angles, [maxSequence, half], device);
        return (a.Cos().MoveToOuterScope(), a.Sin().MoveToOuterScope());
    }

    /// <summary>Rotates q or k (B, H, T, Dh) by position; cos and sin are the tables' first T rows (T, Dh/2).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var half = x.Size(-1) / 2;
        var x1 = x.Narrow(-1, 0, half);                     // (B, H, T, Dh/2)
        var x2 = x.Narrow(-1, half, half);                  // (B, H, T, Dh/2)
        var c = cos.To(x.DType);                            // (T, Dh/2), broadcast over B, H
        var s = sin.To(x.DType);
        return Tensors.Cat([x1 * c - x2 * s, x1 * s + x2 * c], -1).MoveToOuterScope(); // (B, H, T, Dh)
    }
}
