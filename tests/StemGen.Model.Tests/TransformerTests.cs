using System.Diagnostics;
using System.Text.Json;
using StemGen.Model.Transformer;
using StemGen.Torch;
using Xunit.Abstractions;

namespace StemGen.Model.Tests;

public class TransformerTests(ITestOutputHelper output)
{
    // Q = 2 levels, K = 8 codes, T = 6 frames: small enough to check element by element.
    private static readonly StemGenConfig Micro = StemGenConfig.Tiny with
    {
        Levels = 2,
        CodebookSize = 8,
        Categories = 3,
        ModelDim = 16,
        Heads = 2,
        Layers = 2,
        MaxSequence = 32,
    };

    private static Tensor Tokens(long[,,] values) =>
        Tensor.FromArray(values.Cast<long>().ToArray(), values.GetLength(0), values.GetLength(1), values.GetLength(2));

    private static (Tensor Context, Tensor Target, Tensor Category) RandomInputs(StemGenConfig config, int batch, int length, ulong seed)
    {
        using var g = new Generator(seed);
        return (Tensors.RandInt(0, config.CodebookSize, [batch, config.Levels, length], g),
            Tensors.RandInt(0, config.CodebookSize, [batch, config.Levels, length], g),
            Tensors.RandInt(0, config.Categories, [batch], g));
    }

    private static float[] Row(Tensor table, long index) => table.Select(0, index).ToArray<float>();

    private static float[] Add(params float[][] vectors) =>
        Enumerable.Range(0, vectors[0].Length).Select(i => vectors.Sum(v => v[i])).ToArray();

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Paper_preset_counts_about_250M_parameters_and_the_built_model_agrees()
    {
        var paper = StemGenConfig.Paper;
        Assert.Equal((1024, 16, 20, 4, 2048, 18), (paper.ModelDim, paper.Heads, paper.Layers, paper.Levels, paper.CodebookSize, paper.Categories));
        Assert.Equal(512, paper.ChannelDim);
        Assert.Equal(2816, paper.FfnWidth); // 256 * ceil(2730.7 / 256)

        // Closed form, written out independently of StemGenConfig.ParameterCount.
        const long d = 1024, c = 512, k = 2048, q = 4, f = 2816, layers = 20;
        const long expected = q * k * c + q * (k + 1) * c + 19 * c + c + layers * (4 * d * d + 3 * d * f + 2 * d) + d + q * d * k;
        Assert.Equal(expected, paper.ParameterCount);
        Assert.InRange(paper.ParameterCount, 240_000_000, 290_000_000);

        // The built model agrees: its count is affine in the layer count, so models of one and two
        // paper-sized layers pin it down without allocating all 274 M parameters (set
        // STEMGEN_BUILD_PAPER_MODEL=1 to build the whole model as well: about 10 s, 1.1 GB).
        long Built(StemGenConfig config)
        {
            using var model = new StemGenModel(config);
            return model.ParameterCount;
        }
        var one = Built(paper with { Layers = 1 });
        var two = Built(paper with { Layers = 2 });
        Assert.Equal(paper.ParameterCount, one + (paper.Layers - 1) * (two - one));
        var blocks = layers * (two - one);
        output.WriteLine($"paper preset: {paper.ParameterCount:N0} parameters (transformer blocks {blocks:N0}, " +
            $"embeddings {paper.ParameterCount - blocks - d - q * d * k:N0}, heads {q * d * k:N0}, final norm {d:N0})");
        Assert.Equal(layers * (4 * d * d + 3 * d * f + 2 * d), blocks);
        // The paper's "about 250 M" describes the transformer: its blocks must be within 5 % of it.
        Assert.InRange(blocks, 237_500_000, 262_500_000);
        if (Environment.GetEnvironmentVariable("STEMGEN_BUILD_PAPER_MODEL") != "1") return;
        var clock = Stopwatch.StartNew();
        Assert.Equal(paper.ParameterCount, Built(paper));
        output.WriteLine($"built the paper model in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Theory]
    [InlineData("small")]
    [InlineData("tiny")]
    public void Other_presets_count_their_parameters_exactly(string preset)
    {
        var config = StemGenConfig.Preset(preset);
        using var model = new StemGenModel(config);
        output.WriteLine($"{preset}: {config.ParameterCount:N0} parameters");
        Assert.Equal(config.ParameterCount, model.ParameterCount);
    }

    [Fact]
    public void Config_round_trips_through_json_and_rejects_impossible_shapes()
    {
        var config = StemGenConfig.Small with { ContextDropout = 0.3, FfnHidden = 1000 };
        var back = JsonSerializer.Deserialize<StemGenConfig>(JsonSerializer.Serialize(config));
        Assert.Equal(config, back);
        Assert.Equal(StemGenConfig.Paper, JsonSerializer.Deserialize<StemGenConfig>(JsonSerializer.Serialize(StemGenConfig.Paper)));
        Assert.Same(StemGenConfig.Paper, StemGenConfig.Preset("Paper"));
        Assert.Throws<ArgumentException>(() => StemGenConfig.Preset("huge"));
        Assert.Throws<ArgumentException>(() => (StemGenConfig.Tiny with { ModelDim = 100, Heads = 3 }).Validate());
        Assert.Throws<ArgumentException>(() => (StemGenConfig.Tiny with { ContextDropout = 1.5 }).Validate());
    }

    [Fact]
    public void Token_combination_sums_levels_adds_category_to_each_channel_and_concatenates()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var model = new StemGenModel(Micro);
        var combiner = model.Combiner;
        var mask = Micro.MaskToken;
        var context = Tokens(new long[,,] { { { 1, 2, 3 }, { 4, 5, 6 } }, { { 7, 0, 1 }, { 2, 3, 4 } } }); // (B=2, Q=2, T=3)
        var target = Tokens(new long[,,] { { { 0, mask, 2 }, { mask, mask, 7 } }, { { 5, 6, mask }, { 1, mask, mask } } });
        var category = Tensor.FromArray(new long[] { 2, 0 });

        var x = combiner.Forward(context, target, category);
        Assert.Equal(new long[] { 2, 3, Micro.ModelDim }, x.Shape);                      // (B, T, D)

        var ctx = combiner.ContextTables.Select(e => e.Weight).ToArray();
        var tgt = combiner.TargetTables.Select(e => e.Weight).ToArray();
        var cat = combiner.CategoryTable.Weight;
        var (ctxValues, tgtValues, catValues) = (context.ToArray<long>(), target.ToArray<long>(), category.ToArray<long>());
        for (var b = 0; b < 2; b++)
            for (var t = 0; t < 3; t++)
            {
                long At(long[] v, int q) => v[(b * 2 + q) * 3 + t];
                var condition = Row(cat, catValues[b]);
                var contextHalf = Add(Row(ctx[0], At(ctxValues, 0)), Row(ctx[1], At(ctxValues, 1)), condition);
                var targetHalf = Add(Row(tgt[0], At(tgtValues, 0)), Row(tgt[1], At(tgtValues, 1)), condition);
                AssertClose([.. contextHalf, .. targetHalf], x.Select(0, b).Select(0, t).ToArray<float>());
            }
    }

    [Fact]
    public void Dropped_sources_use_the_null_context_and_the_dropped_category_independently()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var model = new StemGenModel(Micro);
        var combiner = model.Combiner;
        var (context, target, category) = RandomInputs(Micro, batch: 3, length: 4, seed: 5);
        var dropContext = Tensor.FromArray(new[] { true, false, true });
        var dropCategory = Tensor.FromArray(new[] { false, true, true });

        var full = combiner.Forward(context, target, category);
        var dropped = combiner.Forward(context, target, category, dropContext, dropCategory);
        var half = Micro.ChannelDim;
        var nullContext = combiner.NullContext.ToArray<float>();
        var droppedCategory = Row(combiner.CategoryTable.Weight, Micro.DroppedCategory);
        var categories = category.ToArray<long>();
        for (var b = 0; b < 3; b++)
        {
            var condition = b == 0 ? Row(combiner.CategoryTable.Weight, categories[b]) : droppedCategory;
            for (var t = 0; t < 4; t++)
            {
                var element = dropped.Select(0, b).Select(0, t);
                var fullElement = full.Select(0, b).Select(0, t);
                var contextHalf = element.Narrow(0, 0, half).ToArray<float>();
                var targetHalf = element.Narrow(0, half, half).ToArray<float>();
                // Context channel: the null embedding (+ condition) when dropped, else the level sum (+ condition).
                var fullContextHalf = fullElement.Narrow(0, 0, half).ToArray<float>();
                var originalCondition = Row(combiner.CategoryTable.Weight, categories[b]);
                var levelSum = fullContextHalf.Zip(originalCondition, (v, c) => v - c).ToArray();
                AssertClose(b == 1 ? Add(levelSum, condition) : Add(nullContext, condition), contextHalf, 1e-5f);
                // Target channel: always the target's own levels, only the condition changes.
                var targetSum = fullElement.Narrow(0, half, half).ToArray<float>().Zip(originalCondition, (v, c) => v - c).ToArray();
                AssertClose(Add(targetSum, condition), targetHalf, 1e-5f);
            }
        }
    }

    [Fact]
    public void Forward_gives_logits_per_level_and_one_level_matches_it()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var model = new StemGenModel(Micro);
        model.Eval();
        using var noGrad = TorchRuntime.NoGrad();
        var (context, target, category) = RandomInputs(Micro, batch: 2, length: 5, seed: 1);
        var logits = model.Forward(context, target, category);
        Assert.Equal(new long[] { 2, Micro.Levels, 5, Micro.CodebookSize }, logits.Shape); // (B, Q, T, K)
        for (var q = 0; q < Micro.Levels; q++)
        {
            var level = model.ForwardLevel(q, context, target, category);                 // (B, T, K)
            Assert.Equal(new long[] { 2, 5, Micro.CodebookSize }, level.Shape);
            Assert.Equal(logits.Select(1, q).ToArray<float>(), level.ToArray<float>());
        }
        Assert.Throws<ArgumentException>(() => model.Forward(context.Select(1, 0), target, category));
        Assert.Throws<ArgumentException>(() => model.Forward(context, target, category, Tensor.FromArray(new long[] { 0, 1 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardLevel(Micro.Levels, context, target, category));
    }

    [Theory]
    [InlineData(new long[] { 13, 0, 6, 7, 8 })]        // any order: the whole backbone, then those rows
    [InlineData(new long[] { 1, 3, 6, 7, 8, 12 })]     // 3 frames of each example, in order: the last layer at those rows only
    [InlineData(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 })]
    public void Logits_at_some_positions_are_those_rows_of_the_whole_level(long[] positions)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var model = new StemGenModel(Micro, new Generator(2));
        model.Eval();
        using var noGrad = TorchRuntime.NoGrad();
        var (context, target, category) = RandomInputs(Micro, batch: 2, length: 7, seed: 3);
        var drop = Tensor.FromArray(new[] { false, true }, 2);
        for (var q = 0; q < Micro.Levels; q++)
        {
            var all = model.ForwardLevel(q, context, target, category, drop, drop).Reshape(14, Micro.CodebookSize);
            var some = model.ForwardLevelAt(q, Tensor.FromArray(positions, positions.Length), context, target, category, drop, drop);
            Assert.Equal(new long[] { positions.Length, Micro.CodebookSize }, some.Shape);
            for (var i = 0; i < positions.Length; i++)
                AssertClose(Row(all, positions[i]), Row(some, i), 1e-5f); // BLAS may sum in another order for fewer rows
        }
    }

    [Fact]
    public void Every_output_depends_on_every_position_including_later_ones()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var model = new StemGenModel(Micro);
        model.Eval();
        var (context, target, category) = RandomInputs(Micro, batch: 1, length: 6, seed: 2);
        var x = model.Combiner.Forward(context, target, category).Detach();               // (1, T, D)
        x.RequiresGrad = true;
        model.Backbone(x).Select(1, 0).Sum().Backward();                                  // output at the first position
        var gradNorms = x.Grad!.Select(0, 0).Norm(dims: [-1]).ToArray<float>();          // (T)
        output.WriteLine($"|d out[0] / d x[t]| = {string.Join(", ", gradNorms.Select(g => g.ToString("G3")))}");
        Assert.All(gradNorms, g => Assert.True(g > 1e-6, $"a position does not reach the first output (gradient {g})"));

        // The same with tokens: changing only the last frame's context changes the first frame's logits.
        using var noGrad = TorchRuntime.NoGrad();
        var before = model.ForwardLevel(0, context, target, category).Select(1, 0).ToArray<float>();
        var changed = context.Clone();
        changed.Select(2, 5).FillInPlace((context.Select(2, 5).Select(1, 0).ToArray<long>()[0] + 1) % Micro.CodebookSize);
        var after = model.ForwardLevel(0, changed, target, category).Select(1, 0).ToArray<float>();
        Assert.NotEqual(before, after);
    }

    // Fig. 2: the target is generated from the context. With the whole target masked (as at the
    // start of generation), every target position's logits must depend on the context embedding of
    // every frame, earlier and later; with the context dropped, on no context token at all.
    [Fact]
    public void The_context_channel_reaches_every_target_position_and_a_dropped_context_none()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var model = new StemGenModel(Micro);
        model.Eval();
        const int length = 6;
        var (context, _, category) = RandomInputs(Micro, batch: 1, length, seed: 4);
        var target = Tensors.Full([1, Micro.Levels, length], Micro.MaskToken, ScalarType.Int64);
        var x = model.Combiner.Forward(context, target, category).Detach();             // (1, T, D): context half first
        x.RequiresGrad = true;
        var hidden = model.Backbone(x);                                                 // (1, T, D)
        for (var t = 0; t < length; t++)
        {
            x.Grad?.ZeroInPlace();
            model.LevelLogits(hidden.Select(1, t), 0).Sum().Backward(retainGraph: true);      // logits of target position t
            var fromContext = x.Grad!.Select(0, 0).Narrow(1, 0, Micro.ChannelDim).Norm(dims: [-1]).ToArray<float>(); // (T)
            output.WriteLine($"position {t}: |d logits / d context[s]| = {string.Join(", ", fromContext.Select(g => g.ToString("G3")))}");
            Assert.All(fromContext, g => Assert.True(g > 1e-7, $"a context frame does not reach target position {t} (gradient {g})"));
        }

        // Through the token tables: the context tables get gradient, unless the context is dropped.
        float ContextTableGradient(bool drop)
        {
            foreach (var p in model.Parameters()) p.Grad?.ZeroInPlace();
            var dropContext = Tensors.Full([1], drop ? 1 : 0, ScalarType.Bool);
            model.ForwardLevel(0, context, target, category, dropContext).Sum().Backward();
            return model.Combiner.ContextTables.Sum(table => table.Weight.Grad!.Abs().Sum().ToSingle());
        }
        Assert.True(ContextTableGradient(drop: false) > 1e-6);
        Assert.Equal(0f, ContextTableGradient(drop: true));
    }

    [Fact]
    public void A_masked_tokens_true_value_cannot_change_the_logits()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var model = new StemGenModel(Micro);
        model.Eval();
        using var noGrad = TorchRuntime.NoGrad();
        var (context, target, category) = RandomInputs(Micro, batch: 2, length: 6, seed: 3);
        LogitsAfterMasking(target, out var masked, out var lossMask);
        var before = model.Forward(context, masked, category).ToArray<float>();

        // Change the truth at one loss position (a masked token) and mask again with the same seed.
        var position = lossMask.Reshape(-1).ToArray<bool>().ToList().IndexOf(true);
        var truth = target.Reshape(-1).Clone();
        truth.Narrow(0, position, 1).FillInPlace((truth.ToArray<long>()[position] + 3) % Micro.CodebookSize);
        LogitsAfterMasking(truth.View(target.Shape), out var maskedAgain, out _);
        Assert.Equal(masked.ToArray<long>(), maskedAgain.ToArray<long>());
        Assert.Equal(before, model.Forward(context, maskedAgain, category).ToArray<float>());

        // Control: changing an unmasked target token does change them.
        var visible = masked.Reshape(-1).ToArray<long>().ToList().FindIndex(v => v != Micro.MaskToken);
        var edited = masked.Reshape(-1).Clone();
        edited.Narrow(0, visible, 1).FillInPlace((edited.ToArray<long>()[visible] + 1) % Micro.CodebookSize);
        Assert.NotEqual(before, model.Forward(context, edited.View(masked.Shape), category).ToArray<float>());
    }

    private static void LogitsAfterMasking(Tensor target, out Tensor masked, out Tensor lossMask)
    {
        using var g = new Generator(11);
        using var batch = new Training.TokenBatch(target.Clone(), target.Clone(), Tensors.Zeros([target.Size(0)], ScalarType.Int64));
        var m = Training.Masking.Apply(batch, Micro, g, level: 0);
        (masked, lossMask) = (m.Target.Clone(), m.LossMask.Clone());
    }

    [Fact]
    public void Rotary_embedding_keeps_norms_and_scores_depend_only_on_relative_position()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int headDim = 8, length = 12;
        var (cos, sin) = Rope.Tables(length, headDim, 10_000);
        using var g = new Generator(4);
        var q = Tensors.Randn([1, 1, 1, headDim], g).Expand(1, 1, length, headDim).Contiguous(); // same vector at every position
        var k = Tensors.Randn([1, 1, 1, headDim], g).Expand(1, 1, length, headDim).Contiguous();
        var rq = Rope.Apply(q, cos, sin);
        var rk = Rope.Apply(k, cos, sin);
        AssertClose(q.Norm(dims: [-1]).ToArray<float>(), rq.Norm(dims: [-1]).ToArray<float>(), 1e-5f);
        var scores = rq.Matmul(rk.Transpose(-2, -1)).Reshape(length, length);             // (T, T)
        var s = scores.ToArray<float>();
        for (var m = 0; m + 3 < length; m++) Assert.Equal(s[0 * length + 3], s[m * length + m + 3], 4); // offset 3 everywhere
        // Halves pairing: feature 0 turns with feature Dh/2, at one radian per position for i = 0.
        var x = Tensors.Zeros([1, 1, length, headDim]);
        x.Select(3, 0).FillInPlace(1);
        var r = Rope.Apply(x, cos, sin).Select(0, 0).Select(0, 0);                         // (T, Dh)
        Assert.Equal((float)Math.Cos(2), r.Select(0, 2).Select(0, 0).ToSingle(), 5);
        Assert.Equal((float)Math.Sin(2), r.Select(0, 2).Select(0, headDim / 2).ToSingle(), 5);
    }

    [Fact]
    public void Initialisation_is_normal_002_with_residual_outputs_scaled_down()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var config = StemGenConfig.Tiny with { Layers = 8 };
        using var model = new StemGenModel(config, new Generator(7));
        var parameters = model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
        double Std(string name) => Math.Sqrt(parameters[name].Var().ToDouble());
        Assert.Equal(0.02, Std("layers.0.attention.wq.weight"), 3);
        Assert.Equal(0.02, Std("embed.target.1.weight"), 3);
        Assert.Equal(0.02, Std("heads.0.weight"), 3);
        Assert.Equal(0.02 / 4, Std("layers.3.attention.wo.weight"), 4);   // 1 / sqrt(2 * 8) = 1/4
        Assert.Equal(0.02 / 4, Std("layers.7.ffn.w2.weight"), 4);
        Assert.All(parameters.Where(p => p.Key.EndsWith("norm.weight", StringComparison.Ordinal)), p => Assert.Equal(1f, p.Value.Min().ToSingle()));
        using var same = new StemGenModel(config, new Generator(7));
        Assert.Equal(parameters["heads.1.weight"].ToArray<float>(), same.NamedParameters().First(p => p.Name == "heads.1.weight").Tensor.ToArray<float>());
    }
}
