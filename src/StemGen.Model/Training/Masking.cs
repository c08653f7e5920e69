using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Training;

/// <summary>
/// A batch ready for the masked-token loss. Context and category are as given (the context is
/// never masked: conditional generation); Target is the model's input with MASK tokens; Truth
/// the unmasked target; LossMask marks the masked tokens of each example's chosen level.
/// </summary>
public sealed class MaskedBatch(Tensor context, Tensor target, Tensor truth, Tensor category, Tensor lossMask, Tensor levels, long[] maskedCounts)
    : IDisposable
{
    public Tensor Context { get; } = context;       // (B, Q, T) long
    public Tensor Target { get; } = target;         // (B, Q, T) long, MASK where hidden
    public Tensor Truth { get; } = truth;           // (B, Q, T) long
    public Tensor Category { get; } = category;     // (B) long
    public Tensor LossMask { get; } = lossMask;     // (B, Q, T) bool: masked tokens of the chosen level
    public Tensor Levels { get; } = levels;         // (B) long: the level q trained in each example
    public IReadOnlyList<long> MaskedCounts { get; } = maskedCounts; // per example: masked tokens of level q

    public void Dispose()
    {
        foreach (var t in new[] { Target, LossMask, Levels }) t.Dispose();
    }
}

/// <summary>
/// The training mask of Fig. 4 (SoundStorm's, with the StemGen change): per example choose a
/// level q uniformly; mask an exact, cosine-scheduled number of level q's tokens (at least one);
/// mask the finer levels q+1..Q-1 completely; leave coarser levels and the whole context alone.
/// The loss is taken on the masked tokens of level q only.
/// </summary>
public static class Masking
{
    /// <summary>Tokens of level q to mask for a draw u ~ U(0, 1): ceil(cos(u pi / 2) T), at least one.</summary>
    public static long MaskedCount(double u, long length) =>
        Math.Clamp((long)Math.Ceiling(Math.Cos(u * Math.PI / 2) * length), 1, length);

    /// <summary>
    /// Masks <paramref name="batch"/>'s target; every random draw comes from <paramref name="generator"/>
    /// (CPU). <paramref name="level"/> fixes q for all examples (validation per level);
    /// <paramref name="wholeLevel"/> masks all of level q (the model has only the coarser levels and
    /// the conditioning: for q = 0, the context and category alone).
    /// </summary>
    public static MaskedBatch Apply(TokenBatch batch, StemGenConfig config, Generator generator, int? level = null, bool wholeLevel = false)
    {
        if (level is { } l && (l < 0 || l >= config.Levels))
            throw new ArgumentOutOfRangeException(nameof(level), level, $"level must be in [0, {config.Levels})");
        var target = batch.Target;
        var (b, levels, t) = (target.Size(0), target.Size(1), target.Size(2));
        if (levels != config.Levels) throw new ArgumentException($"target has {levels} levels, the model {config.Levels}", nameof(batch));
        if (t < 1) throw new ArgumentException("cannot mask an empty sequence", nameof(batch));

        using var scope = TorchRuntime.NewDisposeScope();
        var device = target.Device;
        var q = level is { } fixedLevel
            ? Tensors.Full([b], fixedLevel, ScalarType.Int64)
            : Tensors.RandInt(0, levels, [b], generator);                          // (B) chosen level
        var u = Tensors.Rand([b], generator, ScalarType.Float64).ToArray<double>();
        var counts = u.Select(x => wholeLevel ? t : MaskedCount(x, t)).ToArray();  // (B) exact counts
        var scores = Tensors.Rand([b, t], generator);                              // (B, T)
        var rank = scores.Sort(-1).Indices.Sort(-1).Indices;                       // (B, T) rank of each position
        var chosen = rank.Lt(Tensor.FromArray(counts).Unsqueeze(1));               // (B, T) the count lowest ranks

        var allLevels = Tensors.Arange(levels).Unsqueeze(0);                       // (1, Q)
        var isLevel = allLevels.Eq(q.Unsqueeze(1));                                // (B, Q)
        var isFiner = allLevels.Gt(q.Unsqueeze(1));                                // (B, Q)
        var lossMask = isLevel.Unsqueeze(2).LogicalAnd(chosen.Unsqueeze(1)).To(device);            // (B, Q, T)
        var inputMask = lossMask.LogicalOr(isFiner.Unsqueeze(2).To(device));                       // (B, Q, T)
        var masked = target.MaskedFill(inputMask, config.MaskToken);                                // (B, Q, T)
        return new MaskedBatch(batch.Context, masked.MoveToOuterScope(), target, batch.Category,
            lossMask.MoveToOuterScope(), q.To(device).MoveToOuterScope(), counts);
    }

    /// <summary>
    /// Independent dropout of each conditioning source (section 2.1.2: guidance needs it):
    /// (dropContext, dropCategory), each (B) bool.
    /// </summary>
    public static (Tensor DropContext, Tensor DropCategory) DrawConditionDropout(long batchSize, double contextRate, double categoryRate, Generator generator)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var context = Tensors.Rand([batchSize], generator).Lt(contextRate);
        var category = Tensors.Rand([batchSize], generator).Lt(categoryRate);
        return (context.MoveToOuterScope(), category.MoveToOuterScope());
    }
}
