using StemGen.Model.Sampling;
using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class SamplingGuidanceTests
{
    // Logits of a 3-token vocabulary for each conditioning (position-independent).
    private static readonly Dictionary<Conditioning, double[]> Rows = new()
    {
        [Conditioning.Full] = [0.5, 0.1, -0.3],
        [Conditioning.ContextOnly] = [1.0, 2.0, 0.0],
        [Conditioning.CategoryOnly] = [0.0, -1.0, 3.0],
        [Conditioning.Unconditional] = [0.2, 0.2, 0.9],
    };

    private static SamplingStandIn StandIn() => new(1, 3, (_, c, _, k) => (float)Rows[c][k]);

    private static double[] LogSoftmax(double[] x)
    {
        var max = x.Max();
        var lse = max + Math.Log(x.Sum(v => Math.Exp(v - max)));
        return x.Select(v => v - lse).ToArray();
    }

    private static (double[] Guided, SamplingStandIn Model) Guided(GuidanceOptions guidance, int batch = 2, int length = 2)
    {
        var model = StandIn();
        var context = Tensors.Zeros([batch, 1, length], ScalarType.Int64);
        var target = Tensors.Full([batch, 1, length], 3, ScalarType.Int64);
        var category = Tensors.Zeros([batch], ScalarType.Int64);
        using var logp = Guidance.LogProbabilities(model, 0, context, target, category, guidance);
        Assert.Equal(new long[] { batch, length, 3 }, logp.Shape);
        var all = logp.ToArray<float>().Select(v => (double)v).ToArray();
        for (var i = 1; i < batch * length; i++) Assert.Equal(all[..3], all[(3 * i)..(3 * i + 3)]); // same at every (b, t)
        return (all[..3], model);
    }

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4, $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Sampling_guidance_multi_source_is_equation3_in_one_batched_pass()
    {
        const double la = 3.0, li = 2.0;
        var (guided, model) = Guided(new GuidanceOptions(la, li));
        var (a, i, u) = (LogSoftmax(Rows[Conditioning.ContextOnly]), LogSoftmax(Rows[Conditioning.CategoryOnly]), LogSoftmax(Rows[Conditioning.Unconditional]));
        Close(Enumerable.Range(0, 3).Select(k => la * a[k] + li * i[k] + (1 - la - li) * u[k]).ToArray(), guided);
        var call = Assert.Single(model.Calls);
        Assert.Equal(6, call.Batch);
        Assert.Equal(new[] { Conditioning.ContextOnly, Conditioning.ContextOnly, Conditioning.CategoryOnly, Conditioning.CategoryOnly, Conditioning.Unconditional, Conditioning.Unconditional },
            call.Conditionings);
    }

    [Theory]
    [InlineData(3.0, 3.0)] // three passes
    [InlineData(2.0, 1.0)] // two
    [InlineData(1.0, 1.0)] // one
    public void Sampling_guidance_at_some_positions_is_those_rows_of_the_whole(double la, double li)
    {
        var config = StemGenConfig.Tiny with { Levels = 2, CodebookSize = 12, Categories = 3, ModelDim = 16, Heads = 2, Layers = 1, MaxSequence = 16 };
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(3);
        using var model = new StemGenModel(config, g);
        model.Eval();
        var source = new StemGenLogitsSource(model);
        var context = Tensors.RandInt(0, 12, [2, 2, 5], g);
        var target = Tensors.RandInt(0, 13, [2, 2, 5], g); // codes and MASK
        var category = Tensor.FromArray(new long[] { 0, 2 }, 2);
        var guidance = new GuidanceOptions(la, li);
        var whole = Guidance.LogProbabilities(source, 1, context, target, category, guidance).Reshape(10, 12); // (B*T, K)
        long[] positions = [9, 2, 3, 5];
        var some = Guidance.LogProbabilities(source, 1, context, target, category, guidance, Tensor.FromArray(positions, 4));
        Assert.Equal(new long[] { 4, 12 }, some.Shape);
        for (var i = 0; i < positions.Length; i++)
            Close(whole.Select(0, positions[i]).ToArray<float>().Select(v => (double)v).ToArray(), some.Select(0, i).ToArray<float>().Select(v => (double)v).ToArray());
    }

    [Fact]
    public void Sampling_guidance_single_source_is_equation2_on_the_combined_condition()
    {
        var (guided, model) = Guided(new GuidanceOptions(2.5, 7.0, GuidanceMode.SingleSource));
        var (c, u) = (LogSoftmax(Rows[Conditioning.Full]), LogSoftmax(Rows[Conditioning.Unconditional]));
        Close(Enumerable.Range(0, 3).Select(k => 2.5 * c[k] - 1.5 * u[k]).ToArray(), guided);
        Assert.Equal(4, Assert.Single(model.Calls).Batch);
    }

    [Fact]
    public void Sampling_guidance_scale_one_skips_that_sources_pass()
    {
        var full = LogSoftmax(Rows[Conditioning.Full]);

        var (none, m1) = Guided(GuidanceOptions.None);
        Close(full, none);
        Assert.Equal(2, Assert.Single(m1.Calls).Batch);
        Assert.All(m1.Calls[0].Conditionings, x => Assert.Equal(Conditioning.Full, x));

        var (contextGuided, m2) = Guided(new GuidanceOptions(3.0, 1.0)); // lambda_i = 1: 3 logp(t|a,i) - 2 logp(t|i)
        var cat = LogSoftmax(Rows[Conditioning.CategoryOnly]);
        Close(Enumerable.Range(0, 3).Select(k => 3 * full[k] - 2 * cat[k]).ToArray(), contextGuided);
        Assert.Equal(new[] { Conditioning.Full, Conditioning.Full, Conditioning.CategoryOnly, Conditioning.CategoryOnly }, Assert.Single(m2.Calls).Conditionings);

        var (categoryGuided, m3) = Guided(new GuidanceOptions(1.0, 4.0)); // lambda_a = 1: 4 logp(t|a,i) - 3 logp(t|a)
        var ctx = LogSoftmax(Rows[Conditioning.ContextOnly]);
        Close(Enumerable.Range(0, 3).Select(k => 4 * full[k] - 3 * ctx[k]).ToArray(), categoryGuided);
        Assert.Equal(new[] { Conditioning.Full, Conditioning.Full, Conditioning.ContextOnly, Conditioning.ContextOnly }, Assert.Single(m3.Calls).Conditionings);

        var (single, m4) = Guided(new GuidanceOptions(1.0, 5.0, GuidanceMode.SingleSource));
        Close(full, single);
        Assert.Equal(2, Assert.Single(m4.Calls).Batch);
    }

    [Fact]
    public void Sampling_guidance_zero_weight_terms_are_skipped()
    {
        // lambda_a + lambda_i = 1: the unconditional term has weight 0.
        var terms = Guidance.Terms(new GuidanceOptions(0.25, 0.75));
        Assert.Equal(new[] { new GuidanceTerm(Conditioning.ContextOnly, 0.25), new GuidanceTerm(Conditioning.CategoryOnly, 0.75) }, terms);
        Assert.Equal(new[] { new GuidanceTerm(Conditioning.Unconditional, 1.0) }, Guidance.Terms(new GuidanceOptions(0, 0, GuidanceMode.SingleSource)));
    }

    public static TheoryData<SamplingOptions, string> Invalid() => new()
    {
        { new SamplingOptions { StepsPerLevel = [128, 0, 32, 32] }, "steps of level 1 must be positive" },
        { new SamplingOptions { StepsPerLevel = [128, -3, 32, 32] }, "steps of level 1 must be positive" },
        { new SamplingOptions { StepsPerLevel = [] }, "at least one level" },
        { new SamplingOptions { Temperature = 0 }, "temperature must be positive" },
        { new SamplingOptions { Temperature = double.NaN }, "temperature must be positive" },
        { new SamplingOptions { Guidance = new GuidanceOptions(-1, 3) }, "lambda_a must not be negative" },
        { new SamplingOptions { Guidance = new GuidanceOptions(3, -0.5) }, "lambda_i must not be negative" },
        { new SamplingOptions { Guidance = new GuidanceOptions(3, double.NaN) }, "lambda_i must be a finite number" },
        { new SamplingOptions { RankingWeights = new RankingWeights(double.NaN, 0.1, 1) }, "w_c must be a finite number" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Sampling_options_validation_names_the_problem(SamplingOptions options, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => options.Validate(4));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Sampling_options_validation_checks_the_level_count()
    {
        var e = Assert.Throws<ArgumentException>(() => SamplingOptions.Best.Validate(3));
        Assert.Contains("lists 4 levels but the model has 3", e.Message);
        Assert.Throws<ArgumentException>(() => new IterativeDecoder(new SamplingStandIn(2, 4), SamplingOptions.Best));
        Assert.Same(SamplingOptions.Best, SamplingOptions.Best.Validate(4));
        Assert.Same(SamplingOptions.Naive, SamplingOptions.Naive.Validate(4));
        Assert.Equal(256, SamplingOptions.Best.TotalSteps);
        Assert.Equal(0.0, SamplingOptions.Naive.RankingWeights.Causal);
        Assert.Equal(GuidanceOptions.None, SamplingOptions.Naive.Guidance);
    }
}
