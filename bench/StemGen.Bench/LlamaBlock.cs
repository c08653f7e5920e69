using StemGen.Torch;
using StemGen.Torch.Modules;

namespace StemGen.Bench;

/// <summary>
/// One LLaMA-style transformer block, pre-norm:
///   h   = x + wo(attention(rope(wq n1), rope(wk n1), wv n1)),  n1 = rmsnorm(x)
///   out = h + w2(silu(w1 n2) * w3 n2),                        n2 = rmsnorm(h)
/// No biases, RMSNorm eps 1e-5, bidirectional attention (no mask), rotary embedding with the
/// "halves" pairing (rotate_half(x) = cat(-x2, x1)). bench/pytorch_block.py is the same block,
/// op for op, so both sides do the same work.
/// </summary>
public sealed class LlamaBlock : Module
{
    /// <summary>Parameter names in a fixed order, shared with pytorch_block.py for the deterministic init.</summary>
    public static readonly string[] ParameterOrder =
    [
        "attention_norm.weight", "wq.weight", "wk.weight", "wv.weight", "wo.weight",
        "ffn_norm.weight", "w1.weight", "w2.weight", "w3.weight",
    ];

    private readonly RmsNorm attentionNorm;
    private readonly Linear wq, wk, wv, wo;
    private readonly RmsNorm ffnNorm;
    private readonly Linear w1, w2, w3;

    public long Dim { get; }
    public long Heads { get; }
    public long HeadDim { get; }
    public long Hidden { get; }

    /// <summary>SwiGLU hidden width as in LLaMA: 256 * ceil((8d/3) / 256).</summary>
    public static long HiddenFor(long dim) => 256 * (long)Math.Ceiling(8.0 * dim / 3.0 / 256.0);

    public LlamaBlock(long dim, long heads, Device device)
    {
        if (dim % heads != 0) throw new ArgumentException($"d_model {dim} is not divisible by {heads} heads");
        if (dim / heads % 2 != 0) throw new ArgumentException($"head dim {dim / heads} must be even for rotary embedding");
        (Dim, Heads, HeadDim, Hidden) = (dim, heads, dim / heads, HiddenFor(dim));
        attentionNorm = RegisterModule("attention_norm", new RmsNorm(dim, 1e-5, device));
        wq = RegisterModule("wq", new Linear(dim, dim, bias: false, device));
        wk = RegisterModule("wk", new Linear(dim, dim, bias: false, device));
        wv = RegisterModule("wv", new Linear(dim, dim, bias: false, device));
        wo = RegisterModule("wo", new Linear(dim, dim, bias: false, device));
        ffnNorm = RegisterModule("ffn_norm", new RmsNorm(dim, 1e-5, device));
        w1 = RegisterModule("w1", new Linear(dim, Hidden, bias: false, device));
        w2 = RegisterModule("w2", new Linear(Hidden, dim, bias: false, device));
        w3 = RegisterModule("w3", new Linear(dim, Hidden, bias: false, device));
    }

    /// <summary>
    /// Overwrites every weight with a formula both implementations evaluate identically (same
    /// libtorch kernels), so C# and PyTorch start from bit-identical weights without sharing files:
    /// matrices sin(0.61803 i + k) / sqrt(fan_in) for the k-th name in <see cref="ParameterOrder"/>;
    /// norm weights stay ones.
    /// </summary>
    public void InitDeterministic()
    {
        var parameters = StateDict();
        using var scope = TorchRuntime.NewDisposeScope();
        for (var k = 0; k < ParameterOrder.Length; k++)
        {
            var p = parameters[ParameterOrder[k]];
            var shape = p.Shape;
            if (shape.Length != 2) continue;
            var values = Tensors.Arange(0, shape[0] * shape[1], 1, ScalarType.Float32, p.Device)
                .Mul(0.61803).Add((double)k).Sin().Mul(1.0 / Math.Sqrt(shape[1])).Reshape(shape);
            p.CopyFrom(values);
        }
    }

    /// <summary>x: (B, T, D); cos, sin: (T, Dh) rotary tables from <see cref="RotaryTables"/>.</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin)
    {
        var h = x.Add(Attention(attentionNorm.Forward(x), cos, sin));
        return h.Add(FeedForward(ffnNorm.Forward(h)));
    }

    private Tensor Attention(Tensor x, Tensor cos, Tensor sin)
    {
        var shape = x.Shape;
        long b = shape[0], t = shape[1];
        var q = wq.Forward(x).View(b, t, Heads, HeadDim).Transpose(1, 2);
        var k = wk.Forward(x).View(b, t, Heads, HeadDim).Transpose(1, 2);
        var v = wv.Forward(x).View(b, t, Heads, HeadDim).Transpose(1, 2);
        q = ApplyRotary(q, cos, sin);
        k = ApplyRotary(k, cos, sin);
        var y = Functional.ScaledDotProductAttention(q, k, v); // (B, H, T, Dh), no mask
        return wo.Forward(y.Transpose(1, 2).Reshape(b, t, Dim));
    }

    private Tensor FeedForward(Tensor x) => w2.Forward(w1.Forward(x).Silu().Mul(w3.Forward(x)));

    /// <summary>x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1) over the halves of the last dim.</summary>
    private Tensor ApplyRotary(Tensor x, Tensor cos, Tensor sin)
    {
        var half = HeadDim / 2;
        var x1 = x.Narrow(-1, 0, half);
        var x2 = x.Narrow(-1, half, half);
        var rotated = Tensors.Cat([x2.Neg(), x1], -1);
        return x.Mul(cos).Add(rotated.Mul(sin));
    }

    /// <summary>
    /// cos and sin of t * theta^(-2i/Dh), i &lt; Dh/2, duplicated over both halves: two (T, Dh)
    /// tables, computed once per size. theta^(-e) is evaluated as exp(-e ln theta) on both sides.
    /// </summary>
    public static (Tensor Cos, Tensor Sin) RotaryTables(long seqLen, long headDim, Device device, double theta = 10000.0)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var exponents = Tensors.Arange(0, headDim, 2, ScalarType.Float32, device).Div((double)headDim);
        var inverseFrequencies = exponents.Mul(-Math.Log(theta)).Exp();                     // (Dh/2)
        var positions = Tensors.Arange(0, seqLen, 1, ScalarType.Float32, device);             // (T)
        var angles = positions.Unsqueeze(1).Mul(inverseFrequencies.Unsqueeze(0));             // (T, Dh/2)
        var table = Tensors.Cat([angles, angles], -1);                                        // (T, Dh)
        return (table.Cos().MoveToOuterScope(), table.Sin().MoveToOuterScope());
    }
}
