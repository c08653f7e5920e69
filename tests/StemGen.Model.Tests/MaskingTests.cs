using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class MaskingTests
{
    private static readonly StemGenConfig Config = StemGenConfig.Tiny with
    {
        Levels = 4,
        CodebookSize = 16,
        Categories = 3,
        ModelDim = 16,
        Heads = 2,
        Layers = 1,
        MaxSequence = 64,
    };

    private static TokenBatch RandomBatch(int batch, int length, ulong seed)
    {
        using var g = new Generator(seed);
        return new TokenBatch(
            Tensors.RandInt(0, Config.CodebookSize, [batch, Config.Levels, length], g),
            Tensors.RandInt(0, Config.CodebookSize, [batch, Config.Levels, length], g),
            Tensors.RandInt(0, Config.Categories, [batch], g));
    }

    // (B, Q, T) tensor as [b][q][t].
    private static T[][][] Nested<T>(Tensor x) where T : unmanaged
    {
        var (b, q, t) = ((int)x.Size(0), (int)x.Size(1), (int)x.Size(2));
        var flat = x.ToArray<T>();
        return Enumerable.Range(0, b).Select(i => Enumerable.Range(0, q).Select(j => flat.AsSpan((i * q + j) * t, t).ToArray()).ToArray()).ToArray();
    }

    [Theory]
    [InlineData(0.0, 100, 100)]       // cos 0 = 1: everything
    [InlineData(0.5, 100, 71)]        // ceil(70.7)
    [InlineData(0.999999, 100, 1)]    // almost nothing, still one
    [InlineData(1.0, 100, 1)]         // cos(pi/2) = 0: at least one
    [InlineData(0.3, 1, 1)]
    public void Masked_count_follows_the_cosine_schedule_with_at_least_one(double u, long length, long expected) =>
        Assert.Equal(expected, Masking.MaskedCount(u, length));

    [Fact]
    public void A_whole_level_mask_hides_all_of_level_q_and_finer_and_keeps_the_coarser_levels()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var batch = RandomBatch(batch: 8, length: 20, seed: 3);
        using var g = new Generator(4);
        using var masked = Masking.Apply(batch, Config, g, level: 1, wholeLevel: true);
        var input = Nested<long>(masked.Target);
        var truth = Nested<long>(batch.Target);
        var loss = Nested<bool>(masked.LossMask);
        for (var b = 0; b < 8; b++)
        {
            Assert.Equal(20, masked.MaskedCounts[b]);
            Assert.Equal(truth[b][0], input[b][0]);                                          // coarser: given
            for (var q = 1; q < Config.Levels; q++) Assert.All(input[b][q], v => Assert.Equal(Config.MaskToken, v));
            Assert.All(loss[b][1], Assert.True);                                             // loss on all of level 1 only
            Assert.All(loss[b].Where((_, q) => q != 1).SelectMany(l => l), Assert.False);
        }
        Assert.Equal(batch.Context.ToArray<long>(), masked.Context.ToArray<long>());
    }

    [Fact]
    public void Mask_follows_fig_4_exact_count_finer_levels_masked_coarser_levels_and_context_untouched()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var batch = RandomBatch(batch: 64, length: 20, seed: 1);
        using var g = new Generator(2);
        using var masked = Masking.Apply(batch, Config, g);

        Assert.Equal(batch.Context.ToArray<long>(), masked.Context.ToArray<long>());   // context never masked
        Assert.DoesNotContain((long)Config.MaskToken, masked.Context.ToArray<long>());
        Assert.Equal(batch.Category.ToArray<long>(), masked.Category.ToArray<long>());

        var input = Nested<long>(masked.Target);
        var truth = Nested<long>(batch.Target);
        var loss = Nested<bool>(masked.LossMask);
        var levels = masked.Levels.ToArray<long>();
        for (var b = 0; b < 64; b++)
        {
            var q = (int)levels[b];
            var count = masked.MaskedCounts[b];
            Assert.InRange(count, 1, 20);
            for (var level = 0; level < Config.Levels; level++)
                for (var t = 0; t < 20; t++)
                {
                    var hidden = input[b][level][t] == Config.MaskToken;
                    if (level < q) Assert.False(hidden, "a coarser level is masked");
                    if (level > q) Assert.True(hidden, "a finer level is not fully masked");
                    if (level == q) Assert.Equal(hidden, loss[b][level][t]);          // loss exactly on level q's masked tokens
                    else Assert.False(loss[b][level][t], "loss on a level other than q");
                    if (!hidden) Assert.Equal(truth[b][level][t], input[b][level][t]); // visible tokens keep their value
                }
            Assert.Equal(count, loss[b][q].Count(x => x));                       // the exact count
        }
    }

    [Fact]
    public void Levels_are_drawn_uniformly_fractions_average_two_over_pi_and_draws_repeat_with_the_seed()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int n = 4000, length = 50;
        using var batch = RandomBatch(n, length, seed: 3);
        using var g = new Generator(4);
        using var masked = Masking.Apply(batch, Config, g);
        var levels = masked.Levels.ToArray<long>();
        for (var q = 0; q < Config.Levels; q++) Assert.InRange(levels.Count(l => l == q) / (double)n, 0.22, 0.28);
        // E[cos(u pi / 2)] = 2 / pi; ceil adds half a token on average.
        var meanFraction = masked.MaskedCounts.Average() / length;
        Assert.InRange(meanFraction, 2 / Math.PI - 0.02, 2 / Math.PI + 0.03);

        using var again = new Generator(4);
        using var repeat = Masking.Apply(batch, Config, again);
        Assert.Equal(masked.Target.ToArray<long>(), repeat.Target.ToArray<long>());
    }

    [Fact]
    public void A_fixed_level_masks_that_level_for_every_example()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var batch = RandomBatch(batch: 8, length: 10, seed: 5);
        using var g = new Generator(6);
        using var masked = Masking.Apply(batch, Config, g, level: 2);
        Assert.All(masked.Levels.ToArray<long>(), l => Assert.Equal(2, l));
        Assert.Throws<ArgumentOutOfRangeException>(() => Masking.Apply(batch, Config, g, level: Config.Levels));
    }

    [Fact]
    public void A_single_frame_sequence_still_masks_one_token()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var batch = RandomBatch(batch: 32, length: 1, seed: 7);
        using var g = new Generator(8);
        using var masked = Masking.Apply(batch, Config, g);
        Assert.All(masked.MaskedCounts, c => Assert.Equal(1, c));
        Assert.Equal(32, masked.LossMask.Sum().ToInt64());
    }

    [Fact]
    public void Loss_uses_exactly_the_loss_positions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var model = new StemGenModel(Config, new Generator(9));
        using var batch = RandomBatch(batch: 4, length: 12, seed: 10);
        using var g = new Generator(11);
        using var masked = Masking.Apply(batch, Config, g);
        using var noGrad = TorchRuntime.NoGrad();
        var hidden = model.Hidden(masked.Context, masked.Target, masked.Category);          // (B, T, D)
        var (loss, tally) = MaskedTokenLoss.Compute(model, hidden, masked);

        // Second computation: full logits of every level, cross entropy, keep the loss positions.
        var logits = Tensors.Stack(Enumerable.Range(0, Config.Levels).Select(q => model.LevelLogits(hidden, q)).ToList(), 1); // (B, Q, T, K)
        var perToken = Functional.CrossEntropy(logits.Reshape(-1, Config.CodebookSize), batch.Target.Reshape(-1), reduction: Reduction.None);
        var selected = masked.LossMask.Reshape(-1);
        var expected = perToken.MaskedSelect(selected).Mean().ToDouble();
        Assert.Equal(expected, loss.ToDouble(), 5);
        Assert.Equal(selected.Sum().ToInt64(), tally.TotalCount);

        // Disturbing the hidden states only where no loss is taken leaves the loss unchanged.
        var scored = masked.LossMask.Sum([1]).Gt(0.0);                                       // (B, T): scored at some level
        var noise = Tensors.Randn(hidden.Shape).Mul(scored.LogicalNot().Unsqueeze(-1).To(ScalarType.Float32));
        var (same, _) = MaskedTokenLoss.Compute(model, hidden + noise, masked);
        Assert.Equal(loss.ToDouble(), same.ToDouble(), 6);
        var (different, _) = MaskedTokenLoss.Compute(model, hidden + Tensors.Randn(hidden.Shape), masked);
        Assert.NotEqual(loss.ToDouble(), different.ToDouble(), 3);
    }

    [Fact]
    public void Condition_dropout_drops_each_source_independently_at_its_rate()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int n = 20_000;
        using var g = new Generator(12);
        var (context, category) = Masking.DrawConditionDropout(n, 0.2, 0.5, g);
        var a = context.ToArray<bool>();
        var c = category.ToArray<bool>();
        Assert.InRange(a.Count(x => x) / (double)n, 0.19, 0.21);
        Assert.InRange(c.Count(x => x) / (double)n, 0.49, 0.51);
        Assert.InRange(a.Zip(c, (x, y) => x && y).Count(x => x) / (double)n, 0.09, 0.11); // 0.2 * 0.5
        var (never, always) = Masking.DrawConditionDropout(100, 0, 1, g);
        Assert.DoesNotContain(true, never.ToArray<bool>());
        Assert.DoesNotContain(false, always.ToArray<bool>());
    }
}
