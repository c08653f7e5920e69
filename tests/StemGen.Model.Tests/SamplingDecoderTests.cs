using StemGen.Model.Sampling;
using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class SamplingDecoderTests
{
    private static (Tensor Context, Tensor Category) Inputs(int batch, int levels, int length, int k)
    {
        using var g = new Generator(7);
        return (Tensors.RandInt(0, k, [batch, levels, length], g), Tensors.Zeros([batch], ScalarType.Int64));
    }

    private static int[] Row(Tensor unmaskStep, int b, int q)
    {
        var (levels, length) = ((int)unmaskStep.Size(1), (int)unmaskStep.Size(2));
        return unmaskStep.ToArray<int>().AsSpan((b * levels + q) * length, length).ToArray();
    }

    [Theory]
    [InlineData(10, 4, new[] { 10, 9, 7, 3, 0 })]
    [InlineData(3, 6, new[] { 3, 2, 1, 0, 0, 0, 0 })]
    [InlineData(8, 1, new[] { 8, 0 })]
    public void Sampling_schedule_matches_the_cosine(int tokens, int steps, int[] expected) =>
        Assert.Equal(expected, IterativeDecoder.MaskSchedule(tokens, steps));

    [Fact]
    public void Sampling_schedule_is_cosine_floor_with_at_least_one_per_step()
    {
        for (var t = 0; t <= 40; t++)
            for (var s = 1; s <= 12; s++)
            {
                var c = IterativeDecoder.MaskSchedule(t, s);
                Assert.Equal(t, c[0]);
                Assert.Equal(0, c[s]);
                for (var i = 1; i <= s; i++)
                {
                    Assert.True(c[i] <= (int)Math.Floor(Math.Cos(Math.PI / 2 * i / s) * t));
                    Assert.True(c[i - 1] == 0 || c[i] < c[i - 1], $"T={t} S={s}: step {i} unmasks nothing");
                    if (t >= s) Assert.Equal(i == s ? 0 : Math.Min((int)Math.Floor(Math.Cos(Math.PI / 2 * i / s) * t), c[i - 1] - 1), c[i]);
                }
            }
    }

    [Fact]
    public void Sampling_large_causal_weight_unmasks_left_to_right()
    {
        var model = new SamplingStandIn(levels: 2, codebookSize: 8);
        var options = new SamplingOptions { StepsPerLevel = [8, 4], RankingWeights = new(0, 10, 1), Guidance = GuidanceOptions.None, Seed = 3 };
        var (context, category) = Inputs(1, 2, 8, 8);
        var result = new IterativeDecoder(model, options).Decode(context, category);
        for (var q = 0; q < 2; q++)
        {
            var order = Row(result.UnmaskStep, 0, q);
            for (var t = 1; t < order.Length; t++) Assert.True(order[t] >= order[t - 1], $"level {q}: [{string.Join(", ", order)}]");
        }
        Assert.Equal(Enumerable.Range(0, 8).ToArray(), Row(result.UnmaskStep, 0, 0)); // S = T: one per step, left to right
    }

    [Fact]
    public void Sampling_without_causal_or_confidence_unmasks_in_random_order()
    {
        var model = new SamplingStandIn(levels: 1, codebookSize: 8);
        var (context, category) = Inputs(1, 1, 16, 8);
        int[] Order(ulong seed) => Row(new IterativeDecoder(model, new SamplingOptions
        {
            StepsPerLevel = [4], RankingWeights = new(0, 0, 1), Guidance = GuidanceOptions.None, Seed = seed,
        }).Decode(context, category).UnmaskStep, 0, 0);
        var a = Order(1);
        var b = Order(2);
        Assert.NotEqual(a, b);
        foreach (var order in new[] { a, b })
        {
            Assert.Contains(order.Zip(order.Skip(1)), p => p.Second < p.First); // not monotone
            Assert.Equal(new[] { 2, 3, 5, 6 }, order.GroupBy(s => s).OrderBy(g => g.Key).Select(g => g.Count()).ToArray()); // 16 -> 14 -> 11 -> 6 -> 0
        }
    }

    [Fact]
    public void Sampling_forward_passes_follow_the_schedule_one_batched_call_per_step()
    {
        var model = new SamplingStandIn(levels: 2, codebookSize: 8);
        var options = new SamplingOptions { StepsPerLevel = [4, 3], Seed = 1 }; // guidance 3, 3: batch x3
        var (context, category) = Inputs(2, 2, 8, 8);
        var decoder = new IterativeDecoder(model, options);
        var progress = new ListProgress<DecodingProgress>();
        var result = decoder.Decode(context, category, progress: progress);
        Assert.Equal(7, result.ForwardPasses);
        Assert.Equal(7, decoder.ForwardPasses);
        Assert.Equal(7, model.Calls.Count);
        Assert.All(model.Calls, c => Assert.Equal(6, c.Batch));
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 1, 1 }, model.Calls.Select(c => c.Level).ToArray());
        Assert.Equal(new[] { (0, 1), (0, 2), (0, 3), (0, 4), (1, 1), (1, 2), (1, 3) }, progress.Reports.Select(p => (p.Level, p.Step)).ToArray());
        Assert.All(progress.Reports, p => Assert.Equal(7, p.TotalSteps));
        Assert.Equal(7, progress.Reports[^1].CompletedSteps);
    }

    [Fact]
    public void Sampling_naive_options_use_one_pass_per_step()
    {
        var model = new SamplingStandIn(levels: 1, codebookSize: 4);
        var (context, category) = Inputs(3, 1, 5, 4);
        var result = new IterativeDecoder(model, SamplingOptions.Naive with { StepsPerLevel = [3] }).Decode(context, category);
        Assert.Equal(3, result.ForwardPasses);
        Assert.All(model.Calls, c => Assert.Equal(3, c.Batch));
        Assert.All(model.Calls, c => Assert.All(c.Conditionings, x => Assert.Equal(Conditioning.Full, x)));
    }

    [Fact]
    public void Sampling_same_seed_same_output_different_seed_different_output()
    {
        var model = new SamplingStandIn(levels: 2, codebookSize: 16);
        var (context, category) = Inputs(2, 2, 12, 16);
        long[] Run(ulong seed) => new IterativeDecoder(model, SamplingOptions.Best with { StepsPerLevel = [4, 2], Seed = seed })
            .Decode(context, category).Tokens.ToArray<long>();
        var a = Run(5);
        Assert.Equal(a, Run(5));
        Assert.NotEqual(a, Run(6));
        Assert.All(a, x => Assert.InRange(x, 0, 15));
    }

    [Fact]
    public void Sampling_variations_differ()
    {
        var model = new SamplingStandIn(levels: 1, codebookSize: 16);
        var (context, category) = Inputs(1, 1, 12, 16);
        var tokens = new IterativeDecoder(model, SamplingOptions.Naive with { StepsPerLevel = [3], Seed = 2 })
            .DecodeVariations(context, category, 3).Tokens;
        Assert.Equal(new long[] { 3, 1, 12 }, tokens.Shape);
        var rows = tokens.ToArray<long>().Chunk(12).ToArray();
        Assert.NotEqual(rows[0], rows[1]);
        Assert.NotEqual(rows[1], rows[2]);
    }

    [Fact]
    public void Sampling_inpainting_keeps_fixed_tokens_and_the_outside_region()
    {
        const int levels = 2, length = 10, k = 8;
        var model = new SamplingStandIn(levels, k, (_, _, _, tok) => tok == 0 ? 5f : 0f); // prefers token 0
        var (context, category) = Inputs(2, levels, length, k);
        using var g = new Generator(11);
        var target = Tensors.RandInt(1, k, [2, levels, length], g);  // tokens 1..7: none equals the preferred 0
        var fixedFlags = new bool[2 * levels * length];
        for (var i = 0; i < fixedFlags.Length; i++) fixedFlags[i] = i % length is < 3 or >= 7;   // region [3, 7) generated
        var fixedMask = Tensor.FromArray(fixedFlags, 2, levels, length);
        var progress = new ListProgress<DecodingProgress>();
        var result = new IterativeDecoder(model, SamplingOptions.Best with { StepsPerLevel = [3, 8], Seed = 9 })
            .Decode(context, category, target, fixedMask, progress);
        var given = target.ToArray<long>();
        var tokens = result.Tokens.ToArray<long>();
        var steps = result.UnmaskStep.ToArray<int>();
        for (var i = 0; i < tokens.Length; i++)
        {
            if (fixedFlags[i]) { Assert.Equal(given[i], tokens[i]); Assert.Equal(-1, steps[i]); }
            else { Assert.InRange(tokens[i], 0, k - 1); Assert.True(steps[i] >= 0); }
        }
        Assert.Contains(tokens.Where((_, i) => !fixedFlags[i]), x => x == 0);
        // 4 free tokens per level: level 1 has 8 steps but is done after 4 (one per step), so 3 + 4 passes.
        Assert.Equal(7, result.ForwardPasses);
        Assert.Equal(11, result.Steps);
        Assert.Equal(8, progress.Reports.Count); // 3 + 4 steps, then level 1 reported done
        Assert.Equal((1, 8, 11), (progress.Reports[^1].Level, progress.Reports[^1].Step, progress.Reports[^1].CompletedSteps));
    }

    [Fact]
    public void Sampling_fully_fixed_target_needs_no_passes()
    {
        var model = new SamplingStandIn(levels: 1, codebookSize: 4);
        var (context, category) = Inputs(1, 1, 4, 4);
        var result = new IterativeDecoder(model, SamplingOptions.Naive with { StepsPerLevel = [2] })
            .Decode(context, category, context, Tensors.Ones([1, 1, 4], ScalarType.Bool));
        Assert.Equal(context.ToArray<long>(), result.Tokens.ToArray<long>());
        Assert.Equal(0, result.ForwardPasses);
        Assert.Empty(model.Calls);
    }

    [Fact]
    public void Sampling_low_temperature_takes_the_most_likely_token()
    {
        var model = new SamplingStandIn(levels: 1, codebookSize: 6, (_, _, n, tok) => tok == (n % 6) ? 2f : 0f);
        var (context, category) = Inputs(1, 1, 9, 6);
        var tokens = new IterativeDecoder(model, SamplingOptions.Best with { StepsPerLevel = [3], Temperature = 1e-3 })
            .Decode(context, category).Tokens.ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 9).Select(n => (long)(n % 6)).ToArray(), tokens);
    }

    [Fact]
    public void Sampling_honours_cancellation()
    {
        var model = new SamplingStandIn(levels: 1, codebookSize: 4);
        var (context, category) = Inputs(1, 1, 8, 4);
        using var cts = new CancellationTokenSource();
        var progress = new ListProgress<DecodingProgress>();
        var cancelling = new CancellingProgress(cts, after: 2);
        var decoder = new IterativeDecoder(model, SamplingOptions.Naive with { StepsPerLevel = [6] });
        Assert.ThrowsAny<OperationCanceledException>(() => decoder.Decode(context, category, progress: cancelling, cancellationToken: cts.Token));
        Assert.Equal(2, model.Calls.Count);
    }

    private sealed class CancellingProgress(CancellationTokenSource cts, int after) : IProgress<DecodingProgress>
    {
        private int seen;

        public void Report(DecodingProgress value)
        {
            if (++seen >= after) cts.Cancel();
        }
    }

    [Fact]
    public void Sampling_decodes_level_by_level_coarsest_first()
    {
        const int levels = 3, length = 5, k = 4;
        var model = new SamplingStandIn(levels, k);
        var (context, category) = Inputs(1, levels, length, k);
        new IterativeDecoder(model, SamplingOptions.Naive with { StepsPerLevel = [2, 2, 2] }).Decode(context, category);
        Assert.Equal(6, model.Calls.Count);
        for (var call = 0; call < model.Calls.Count; call++)
        {
            var (level, target) = (model.Calls[call].Level, model.Targets[call]);
            for (var q = 0; q < levels; q++)
            {
                var row = target.AsSpan(q * length, length).ToArray();
                if (q < level) Assert.All(row, x => Assert.InRange(x, 0, k - 1));   // coarser levels done
                else if (q > level) Assert.All(row, x => Assert.Equal(k, x));       // finer levels masked
            }
            var current = target.AsSpan(level * length, length).ToArray();
            Assert.Equal(call % 2 == 0 ? length : IterativeDecoder.MaskSchedule(length, 2)[1], current.Count(x => x == k));
        }
    }

    [Fact]
    public void Sampling_large_confidence_weight_unmasks_the_surest_first()
    {
        // Position n: logit 10 + n for token 0, 0 for the others: token 0 is sampled, its confidence grows with n.
        var model = new SamplingStandIn(levels: 1, codebookSize: 4, (_, _, n, tok) => tok == 0 ? 10f + n : 0f);
        var (context, category) = Inputs(1, 1, 6, 4);
        var result = new IterativeDecoder(model, SamplingOptions.Naive with { StepsPerLevel = [6], RankingWeights = new(100, 0, 0) })
            .Decode(context, category);
        Assert.Equal(new[] { 5, 4, 3, 2, 1, 0 }, Row(result.UnmaskStep, 0, 0));
        Assert.All(result.Tokens.ToArray<long>(), x => Assert.Equal(0, x));
    }

    // The decoder computes logits, guidance and noise at the masked positions only; the tokens must be
    // those of the computation at every position (same seed, same generator stream).
    [Theory]
    [InlineData("best", false)]
    [InlineData("best", true)]
    [InlineData("naive", false)]
    [InlineData("eq2", true)]
    public void Sampling_at_masked_positions_only_gives_the_tokens_of_the_whole_computation(string preset, bool inpaint)
    {
        var config = StemGenConfig.Tiny with { Levels = 3, CodebookSize = 48, Categories = 3, ModelDim = 32, Heads = 2, Layers = 2, MaxSequence = 64 };
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(21);
        using var model = new StemGenModel(config, g);
        model.Eval();
        var sampling = (preset switch
        {
            "naive" => SamplingOptions.Naive,
            "eq2" => SamplingOptions.Best with { Guidance = new GuidanceOptions(2.5, 1, GuidanceMode.SingleSource) },
            _ => SamplingOptions.Best,
        }) with
        { StepsPerLevel = [8, 5, 3], Seed = 5, Temperature = 0.9 };
        var context = Tensors.RandInt(0, config.CodebookSize, [2, 3, 40], g);
        var category = Tensor.FromArray(new long[] { 1, 2 }, 2);
        Tensor? target = null, fixedMask = null;
        if (inpaint)
        {
            target = Tensors.RandInt(0, config.CodebookSize, [2, 3, 40], g);
            fixedMask = Tensors.Rand([2, 3, 40], g).Lt(0.4);
        }
        var source = new StemGenLogitsSource(model);
        var whole = new IterativeDecoder(source, sampling) { MaskedPositionsOnly = false }.Decode(context, category, target, fixedMask);
        var masked = new IterativeDecoder(source, sampling).Decode(context, category, target, fixedMask);
        Assert.Equal(whole.Tokens.ToArray<long>(), masked.Tokens.ToArray<long>());
        Assert.Equal(whole.UnmaskStep.ToArray<int>(), masked.UnmaskStep.ToArray<int>());
        Assert.Equal(whole.ForwardPasses, masked.ForwardPasses);
        // A different seed changes the tokens: the comparison can fail.
        var other = new IterativeDecoder(source, sampling with { Seed = 6 }).Decode(context, category, target, fixedMask);
        Assert.NotEqual(masked.Tokens.ToArray<long>(), other.Tokens.ToArray<long>());
    }

    [Fact]
    public void Sampling_at_masked_positions_only_through_the_default_of_a_logits_source()
    {
        // The stand-in has no LevelLogitsAt of its own: the interface's default (all logits, then rows).
        var model = new SamplingStandIn(levels: 2, codebookSize: 6, (q, c, n, k) => (float)Math.Sin(q + 3 * n + 0.7 * k + (int)c));
        var options = SamplingOptions.Best with { StepsPerLevel = [4, 3], Seed = 8 };
        var (context, category) = Inputs(2, 2, 9, 6);
        var whole = new IterativeDecoder(model, options) { MaskedPositionsOnly = false }.Decode(context, category);
        var masked = new IterativeDecoder(model, options).Decode(context, category);
        Assert.Equal(whole.Tokens.ToArray<long>(), masked.Tokens.ToArray<long>());
        Assert.Equal(whole.UnmaskStep.ToArray<int>(), masked.UnmaskStep.ToArray<int>());
    }

    [Fact]
    public void Sampling_real_model_through_the_adapter()
    {
        var config = StemGenConfig.Tiny with
        {
            Levels = 4,
            CodebookSize = 16,
            Categories = 3,
            ModelDim = 16,
            Heads = 2,
            Layers = 1,
            MaxSequence = 32,
        };
        using var g = new Generator(4);
        using var model = new StemGenModel(config, g);
        model.Eval();
        var context = Tensors.RandInt(0, 16, [1, 4, 6], g);
        var category = Tensor.FromArray(new long[] { 2 }, 1);
        var decoder = new IterativeDecoder(new StemGenLogitsSource(model), SamplingOptions.Best with { StepsPerLevel = [3, 2, 2, 2], Seed = 1 });
        var result = decoder.DecodeVariations(context, category, 2);
        Assert.Equal(new long[] { 2, 4, 6 }, result.Tokens.Shape);
        Assert.Equal(ScalarType.Int64, result.Tokens.DType);
        Assert.All(result.Tokens.ToArray<long>(), x => Assert.InRange(x, 0, 15));
        Assert.Equal(9, result.ForwardPasses);
    }
}
