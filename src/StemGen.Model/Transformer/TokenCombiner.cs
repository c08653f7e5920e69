using StemGen.Torch;
using StemGen.Torch.Modules;

namespace StemGen.Model.Transformer;

/// <summary>
/// Fig. 3: turns the Q token levels of the context mix and of the target stem into one sequence
/// element per frame. Per channel, the embeddings of the Q levels (one table per level) are
/// summed; the conditioning embedding (instrument category) is added to each channel's sum; the
/// two channels are concatenated along the embedding dimension, each D/2 wide (see
/// <see cref="StemGenConfig"/>).
/// For guidance each conditioning source can be dropped on its own: a dropped context is the
/// learned null embedding, a dropped category is the table's extra "dropped" entry.
/// </summary>
public sealed class TokenCombiner : Module
{
    private readonly StemGenConfig config;
    private readonly ModuleList<Embedding> contextEmbeddings; // Q tables (K, D/2)
    private readonly ModuleList<Embedding> targetEmbeddings;  // Q tables (K + 1, D/2); row K is MASK
    private readonly Embedding categoryEmbedding;             // (C + 1, D/2); row C is "dropped"

    public TokenCombiner(StemGenConfig config)
    {
        this.config = config;
        var c = config.ChannelDim;
        contextEmbeddings = RegisterModule("context", new ModuleList<Embedding>(
            Enumerable.Range(0, config.Levels).Select(_ => new Embedding(config.CodebookSize, c))));
        targetEmbeddings = RegisterModule("target", new ModuleList<Embedding>(
            Enumerable.Range(0, config.Levels).Select(_ => new Embedding(config.CodebookSize + 1, c))));
        categoryEmbedding = RegisterModule("category", new Embedding(config.Categories + 1, c));
        NullContext = RegisterParameter("null_context", Tensors.Zeros([c]));
    }

    /// <summary>The learned embedding that stands for "no context mix" (D/2).</summary>
    public Tensor NullContext { get; }

    public IReadOnlyList<Embedding> ContextTables => contextEmbeddings;
    public IReadOnlyList<Embedding> TargetTables => targetEmbeddings;
    public Embedding CategoryTable => categoryEmbedding;

    /// <summary>
    /// context (B, Q, T) codes, target (B, Q, T) codes or MASK, category (B); dropContext and
    /// dropCategory (B) bool, null for none dropped. Returns (B, T, D).
    /// </summary>
    public Tensor Forward(Tensor context, Tensor target, Tensor category, Tensor? dropContext = null, Tensor? dropCategory = null)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var b = context.Size(0);
        var a = SumLevels(contextEmbeddings, context);                           // (B, T, D/2)
        if (dropContext is not null)
            a = Tensors.Where(dropContext.View(b, 1, 1), NullContext, a);         // (B, T, D/2)
        var t = SumLevels(targetEmbeddings, target);                             // (B, T, D/2)
        if (dropCategory is not null)
            category = Tensors.Where(dropCategory, Tensors.Full([], config.DroppedCategory, ScalarType.Int64, category.Device), category);
        var c = categoryEmbedding.Forward(category).Unsqueeze(1);                // (B, 1, D/2)
        return Tensors.Cat([a + c, t + c], -1).MoveToOuterScope();                // (B, T, D)
    }

    // Sum over levels q of E_q[tokens[:, q]]: (B, Q, T) -> (B, T, D/2).
    private static Tensor SumLevels(IReadOnlyList<Embedding> tables, Tensor tokens)
    {
        var sum = tables[0].Forward(tokens.Select(1, 0));
        for (var q = 1; q < tables.Count; q++) sum = sum + tables[q].Forward(tokens.Select(1, q));
        return sum;
    }
}
