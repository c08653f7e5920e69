using StemGen.Torch;
using StemGen.Torch.Modules;

namespace StemGen.Model.Transformer;

/// <summary>
/// Bidirectional multi-head self-attention with rotary positions: every element sees every
/// other (no causal mask), as a masked-token model needs.
/// </summary>
public sealed class Attention : Module
{
    private readonly Linear wq, wk, wv, wo;
    private readonly int heads;
    private readonly double dropout;

    public Attention(StemGenConfig config)
    {
        heads = config.Heads;
        dropout = config.Dropout;
        wq = RegisterModule("wq", new Linear(config.ModelDim, config.ModelDim, bias: false));
        wk = RegisterModule("wk", new Linear(config.ModelDim, config.ModelDim, bias: false));
        wv = RegisterModule("wv", new Linear(config.ModelDim, config.ModelDim, bias: false));
        wo = RegisterModule("wo", new Linear(config.ModelDim, config.ModelDim, bias: false));
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin) => Forward(x, x, cos, sin, cos, sin);

    /// <summary>
    /// The outputs at some positions only: <paramref name="queries"/> (B, N, D) are those rows of
    /// <paramref name="x"/> (B, T, D), which gives the keys and values; <paramref name="queryCos"/> and
    /// <paramref name="querySin"/> their rotary rows, broadcastable to (B, H, N, Dh/2). Returns (B, N, D).
    /// </summary>
    public Tensor Forward(Tensor queries, Tensor x, Tensor queryCos, Tensor querySin, Tensor cos, Tensor sin)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (b, t, d) = (x.Size(0), x.Size(1), x.Size(2));
        var n = queries.Size(1);
        var dh = d / heads;
        var q = wq.Forward(queries).View(b, n, heads, dh).Transpose(1, 2); // (B, H, N, Dh)
        var k = wk.Forward(x).View(b, t, heads, dh).Transpose(1, 2);       // (B, H, T, Dh)
        var v = wv.Forward(x).View(b, t, heads, dh).Transpose(1, 2);       // (B, H, T, Dh)
        q = Rope.Apply(q, queryCos, querySin);
        k = Rope.Apply(k, cos, sin);
        var y = Functional.ScaledDotProductAttention(q, k, v, mask: null, dropout: Training ? dropout : 0, isCausal: false); // (B, H, N, Dh)
        y = y.Transpose(1, 2).Contiguous().View(b, n, d);                 // (B, N, D)
        return wo.Forward(y).MoveToOuterScope();
    }
}

/// <summary>SwiGLU feed-forward (LLaMA): w2(silu(w1 x) * w3 x), no biases.</summary>
public sealed class SwiGlu : Module
{
    private readonly Linear w1, w2, w3;

    public SwiGlu(StemGenConfig config)
    {
        w1 = RegisterModule("w1", new Linear(config.ModelDim, config.FfnWidth, bias: false));
        w2 = RegisterModule("w2", new Linear(config.FfnWidth, config.ModelDim, bias: false));
        w3 = RegisterModule("w3", new Linear(config.ModelDim, config.FfnWidth, bias: false));
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var gate = w1.Forward(x).Silu();               // (B, T, F)
        var up = w3.Forward(x);                        // (B, T, F)
        return w2.Forward(gate * up).MoveToOuterScope(); // (B, T, D)
    }
}

/// <summary>One pre-norm LLaMA block: h = x + attn(norm(x)); out = h + ffn(norm(h)).</summary>
public sealed class TransformerBlock : Module
{
    private readonly RmsNorm attentionNorm, ffnNorm;
    private readonly Attention attention;
    private readonly SwiGlu ffn;
    private readonly double dropout;

    public TransformerBlock(StemGenConfig config)
    {
        dropout = config.Dropout;
        attentionNorm = RegisterModule("attention_norm", new RmsNorm(config.ModelDim, config.NormEps));
        attention = RegisterModule("attention", new Attention(config));
        ffnNorm = RegisterModule("ffn_norm", new RmsNorm(config.ModelDim, config.NormEps));
        ffn = RegisterModule("ffn", new SwiGlu(config));
    }

    /// <summary>(B, T, D) -> (B, T, D); cos and sin are the rotary tables for the first T positions.</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var h = x + ResidualDropout(attention.Forward(attentionNorm.Forward(x), cos, sin)); // (B, T, D)
        var output = h + ResidualDropout(ffn.Forward(ffnNorm.Forward(h)));               // (B, T, D)
        return output.MoveToOuterScope();
    }

    /// <summary>
    /// The block's outputs at <paramref name="positions"/> only ((B x N) long, flat b * T + t, N per
    /// example, example by example): every position is still a key and a value, but the queries,
    /// the feed-forward and the residuals run on those rows. cosAt and sinAt: their rotary rows
    /// (B x N, Dh/2). Returns (B, N, D), the rows <see cref="Forward(Tensor, Tensor, Tensor)"/> gives there.
    /// </summary>
    public Tensor ForwardAt(Tensor x, Tensor positions, Tensor cos, Tensor sin, Tensor cosAt, Tensor sinAt)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (b, t, d) = (x.Size(0), x.Size(1), x.Size(2));
        var n = positions.Size(0) / b;
        Tensor Rows(Tensor all) => all.Reshape(b * t, d).IndexSelect(0, positions).View(b, n, d); // (B, N, D)
        var normalised = attentionNorm.Forward(x);                                                   // (B, T, D)
        var (queryCos, querySin) = (cosAt.View(b, 1, n, -1), sinAt.View(b, 1, n, -1));              // (B, 1, N, Dh/2)
        var h = Rows(x) + ResidualDropout(attention.Forward(Rows(normalised), normalised, queryCos, querySin, cos, sin)); // (B, N, D)
        var output = h + ResidualDropout(ffn.Forward(ffnNorm.Forward(h)));                         // (B, N, D)
        return output.MoveToOuterScope();
    }

    private Tensor ResidualDropout(Tensor x) => Training && dropout > 0 ? Functional.Dropout(x, dropout, true) : x;
}
