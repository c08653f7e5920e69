using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Training;

/// <summary>Per-level sums of loss, correct predictions and scored tokens, for accuracy and mean loss per level.</summary>
public sealed class LevelTally(int levels)
{
    private readonly double[] lossSum = new double[levels];
    private readonly long[] correct = new long[levels];
    private readonly long[] count = new long[levels];

    public int Levels => count.Length;
    public long TotalCount => count.Sum();
    public long Count(int level) => count[level];

    public void Add(int level, double loss, long correctTokens, long tokens)
    {
        lossSum[level] += loss;
        correct[level] += correctTokens;
        count[level] += tokens;
    }

    public void Add(LevelTally other)
    {
        if (other.Levels != Levels) throw new ArgumentException($"tally of {other.Levels} levels added to one of {Levels}", nameof(other));
        for (var q = 0; q < Levels; q++) Add(q, other.lossSum[q], other.correct[q], other.count[q]);
    }

    /// <summary>Mean cross entropy (nats) of a level's scored tokens; NaN when none were scored.</summary>
    public double Loss(int level) => count[level] > 0 ? lossSum[level] / count[level] : double.NaN;

    /// <summary>Fraction of a level's scored tokens predicted exactly (arg-max); NaN when none were scored.</summary>
    public double Accuracy(int level) => count[level] > 0 ? (double)correct[level] / count[level] : double.NaN;

    public double MeanLoss => TotalCount > 0 ? lossSum.Sum() / TotalCount : double.NaN;
    public double MeanAccuracy => TotalCount > 0 ? (double)correct.Sum() / TotalCount : double.NaN;

    public double[] LevelLosses() => Enumerable.Range(0, Levels).Select(Loss).ToArray();
    public double[] LevelAccuracies() => Enumerable.Range(0, Levels).Select(Accuracy).ToArray();
}

/// <summary>
/// The masked-token objective: cross entropy on the loss-masked tokens only (the masked tokens of
/// each example's chosen level), averaged over all of them in the batch. Each level's head runs
/// only on its own scored positions, so no (B, Q, T, K) logits are ever built.
/// </summary>
public static class MaskedTokenLoss
{
    /// <summary>hidden (B, T, D) from <see cref="StemGenModel.Hidden"/>; returns the mean loss (scalar) and per-level tallies.</summary>
    public static (Tensor Loss, LevelTally Tally) Compute(StemGenModel model, Tensor hidden, MaskedBatch batch)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (b, t, d) = (hidden.Size(0), hidden.Size(1), hidden.Size(2));
        var tally = new LevelTally(model.Config.Levels);
        var flat = hidden.Reshape(b * t, d);                                  // (B*T, D)
        Tensor? total = null;
        for (var q = 0; q < model.Config.Levels; q++)
        {
            var selected = batch.LossMask.Select(1, q).Reshape(b * t);      // (B*T) bool
            var n = selected.Sum().ToInt64();
            if (n == 0) continue;
            var logits = model.LevelLogits(flat.Index(selected), q);        // (N, K)
            var truth = batch.Truth.Select(1, q).Reshape(b * t).Index(selected); // (N)
            var sum = Functional.CrossEntropy(logits, truth, reduction: Reduction.Sum);
            total = total is null ? sum : total + sum;
            using (TorchRuntime.NoGrad())
                tally.Add(q, sum.ToDouble(), logits.ArgMax(-1).Eq(truth).Sum().ToInt64(), n);
        }
        if (total is null) throw new ArgumentException("the loss mask selects no token", nameof(batch));
        return ((total / tally.TotalCount).MoveToOuterScope(), tally);
    }
}
