using StemGen.Torch;
using StemGen.Torch.Modules;

namespace StemGen.Model.Transformer;

/// <summary>
/// The StemGen masked-token model (paper section 2.1, Fig. 2): tokens of the context mix and of
/// the (partly masked) target stem are combined into one element per frame (Fig. 3), run through
/// a bidirectional LLaMA-type transformer, and one linear head per RVQ level predicts the target
/// stem's codes.
/// </summary>
public sealed class StemGenModel : Module
{
    private readonly TokenCombiner combiner;
    private readonly ModuleList<TransformerBlock> layers;
    private readonly RmsNorm norm;
    private readonly ModuleList<Linear> heads;
    private readonly Tensor ropeCos, ropeSin; // (MaxSequence, Dh/2)

    /// <summary>Builds the model with the paper's initialisation, drawn from <paramref name="generator"/> when given.</summary>
    public StemGenModel(StemGenConfig config, Generator? generator = null)
    {
        Config = config.Validate();
        combiner = RegisterModule("embed", new TokenCombiner(config));
        layers = RegisterModule("layers", new ModuleList<TransformerBlock>(
            Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(config))));
        norm = RegisterModule("norm", new RmsNorm(config.ModelDim, config.NormEps));
        heads = RegisterModule("heads", new ModuleList<Linear>(
            Enumerable.Range(0, config.Levels).Select(_ => new Linear(config.ModelDim, config.CodebookSize, bias: false))));
        (ropeCos, ropeSin) = Rope.Tables(config.MaxSequence, config.HeadDim, config.RopeTheta);
        RegisterBuffer("rope_cos", ropeCos, persistent: false);
        RegisterBuffer("rope_sin", ropeSin, persistent: false);
        Initialise(generator);
    }

    public StemGenConfig Config { get; }

    public TokenCombiner Combiner => combiner;

    // GPT-2 style (Radford et al. 2019): normal(0, 0.02) everywhere, output projections of the residual
    // branches (attention wo, FFN w2) scaled by 1/sqrt(2 * layers); RMSNorm gains stay at one.
    private void Initialise(Generator? generator)
    {
        using var noGrad = TorchRuntime.NoGrad();
        var residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, p) in NamedParameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) continue;
            var std = name.EndsWith(".wo.weight", StringComparison.Ordinal) || name.EndsWith(".w2.weight", StringComparison.Ordinal)
                ? residualStd : 0.02;
            p.NormalInPlace(0, std, generator);
        }
    }

    /// <summary>
    /// Logits of every level: context (B, Q, T) codes, target (B, Q, T) codes or MASK
    /// (= CodebookSize), category (B), dropContext and dropCategory (B) bool or null for none.
    /// Returns (B, Q, T, K).
    /// </summary>
    public Tensor Forward(Tensor context, Tensor target, Tensor category, Tensor? dropContext = null, Tensor? dropCategory = null)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var h = Hidden(context, target, category, dropContext, dropCategory);     // (B, T, D)
        var logits = Enumerable.Range(0, Config.Levels).Select(q => LevelLogits(h, q)).ToList(); // Q x (B, T, K)
        return Tensors.Stack(logits, 1).MoveToOuterScope();                       // (B, Q, T, K)
    }

    /// <summary>Logits of one level only (B, T, K): what iterative decoding needs at each step.</summary>
    public Tensor ForwardLevel(int level, Tensor context, Tensor target, Tensor category, Tensor? dropContext = null, Tensor? dropCategory = null)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var h = Hidden(context, target, category, dropContext, dropCategory);     // (B, T, D)
        return LevelLogits(h, level).MoveToOuterScope();                          // (B, T, K)
    }

    /// <summary>
    /// Logits of one level at some positions only (N, K): <paramref name="positions"/> (N) long are
    /// flat indices b * T + t into the (B, T) frames: what a decoding step needs (the positions still
    /// masked). The head runs on those rows alone, and so do the last layer's queries, feed-forward
    /// and norm when the positions are N frames of each example in order (<see cref="BackboneAt"/>).
    /// </summary>
    public Tensor ForwardLevelAt(int level, Tensor positions, Tensor context, Tensor target, Tensor category, Tensor? dropContext = null, Tensor? dropCategory = null)
    {
        CheckInputs(context, target, category, dropContext, dropCategory);
        using var scope = TorchRuntime.NewDisposeScope();
        var (b, t, d) = (context.Size(0), context.Size(2), (long)Config.ModelDim);
        var x = combiner.Forward(context, target, category, dropContext, dropCategory); // (B, T, D)
        var rows = SameCountPerExample(positions, b, t)
            ? BackboneAt(x, positions)                                                   // (N, D)
            : Backbone(x).Reshape(b * t, d).IndexSelect(0, positions);                   // (N, D)
        return LevelLogits(rows, level).MoveToOuterScope();                             // (N, K)
    }

    /// <summary>
    /// <see cref="Backbone(Tensor)"/>'s rows at <paramref name="positions"/> ((B x N) long, flat
    /// b * T + t, N of each example, example by example): the last layer computes queries,
    /// feed-forward and norm at those rows only. (B, T, D) -> (B x N, D).
    /// </summary>
    public Tensor BackboneAt(Tensor x, Tensor positions)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (t, d) = (x.Size(1), x.Size(2));
        var (cos, sin) = RotaryTables(t, nameof(x));                        // (T, Dh/2) each
        for (var i = 0; i < layers.Count - 1; i++) x = layers[i].Forward(x, cos, sin); // (B, T, D)
        var frames = positions.Remainder(t);                                // (B x N)
        var rows = layers[layers.Count - 1].ForwardAt(x, positions, cos, sin, ropeCos.IndexSelect(0, frames), ropeSin.IndexSelect(0, frames)); // (B, N, D)
        return norm.Forward(rows).Reshape(positions.Size(0), d).MoveToOuterScope();
    }

    // Whether the positions are N frames of each of the B examples, example by example (what the
    // decoder asks for, as long as every example has as many masked tokens), and no dropout is on.
    private bool SameCountPerExample(Tensor positions, long b, long t)
    {
        if ((Training && Config.Dropout > 0) || positions.Dim != 1 || positions.Size(0) % b != 0) return false;
        var n = positions.Size(0) / b;
        var flat = positions.Cpu().ToArray<long>();
        for (var i = 0; i < flat.Length; i++)
            if (flat[i] / t != i / n) return false;
        return n > 0;
    }

    /// <summary>The final normalised hidden states (B, T, D): token combination, then the transformer.</summary>
    public Tensor Hidden(Tensor context, Tensor target, Tensor category, Tensor? dropContext = null, Tensor? dropCategory = null)
    {
        CheckInputs(context, target, category, dropContext, dropCategory);
        using var scope = TorchRuntime.NewDisposeScope();
        var x = combiner.Forward(context, target, category, dropContext, dropCategory); // (B, T, D)
        return Backbone(x).MoveToOuterScope();                                          // (B, T, D)
    }

    /// <summary>The transformer on combined embeddings: (B, T, D) -> normalised (B, T, D).</summary>
    public Tensor Backbone(Tensor x)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (cos, sin) = RotaryTables(x.Size(1), nameof(x));       // (T, Dh/2) each
        if (Training && Config.Dropout > 0) x = Functional.Dropout(x, Config.Dropout, true);
        foreach (var layer in layers) x = layer.Forward(x, cos, sin); // (B, T, D)
        return norm.Forward(x).MoveToOuterScope();                 // (B, T, D)
    }

    // The rotary tables' first T rows.
    private (Tensor Cos, Tensor Sin) RotaryTables(long t, string parameter)
    {
        if (t > Config.MaxSequence)
            throw new ArgumentException($"sequence of {t} frames is longer than the model's maximum {Config.MaxSequence}", parameter);
        return (ropeCos.Narrow(0, 0, t), ropeSin.Narrow(0, 0, t));
    }

    /// <summary>Level q's head on hidden states (..., D) -> (..., K).</summary>
    public Tensor LevelLogits(Tensor hidden, int level)
    {
        if (level < 0 || level >= Config.Levels)
            throw new ArgumentOutOfRangeException(nameof(level), level, $"level must be in [0, {Config.Levels})");
        return heads[level].Forward(hidden);
    }

    private void CheckInputs(Tensor context, Tensor target, Tensor category, Tensor? dropContext, Tensor? dropCategory)
    {
        var c = context.Shape;
        if (c.Length != 3 || c[1] != Config.Levels)
            throw new ArgumentException($"context tokens must be (B, {Config.Levels}, T), got [{string.Join(", ", c)}]", nameof(context));
        if (!target.Shape.SequenceEqual(c))
            throw new ArgumentException($"target tokens [{string.Join(", ", target.Shape)}] must have the context's shape [{string.Join(", ", c)}]", nameof(target));
        if (!category.Shape.SequenceEqual(new[] { c[0] }))
            throw new ArgumentException($"category must be ({c[0]}), got [{string.Join(", ", category.Shape)}]", nameof(category));
        foreach (var (name, drop) in new[] { (nameof(dropContext), dropContext), (nameof(dropCategory), dropCategory) })
            if (drop is not null && (drop.DType != ScalarType.Bool || !drop.Shape.SequenceEqual(new[] { c[0] })))
                throw new ArgumentException($"{name} must be a ({c[0]}) bool tensor, got {drop}", name);
    }
}
