using System.Diagnostics;
using System.Globalization;
using StemGen.Audio;
using StemGen.Evaluation.Coherence;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Mir;
using StemGen.Evaluation.Mirdd;
using StemGen.Model.Generation;
using StemGen.Model.Sampling;

namespace StemGen.Evaluation.Suite;

/// <summary>
/// Runs the paper's evaluation (section 3.2) for a list of sampling settings: for each setting, one
/// generated stem per example (seeded by the example index, so settings differ only in their options),
/// then FAD and KAD between generated and real stems (isolated; KAD at one bandwidth for all settings), MIRDD between generated + context and real +
/// context, and coherence of generated, real and mismatched stems with their context. Settings with
/// identical options are generated once. Progress goes out as lines.
/// </summary>
public sealed class EvaluationRunner(IStemGenerator generator, ReferenceSet reference, int parallelism, long seed)
{
    public PointResult Run(GridPoint point, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var examples = reference.Examples;
        if (examples.Count > 0 && examples.Max(e => e.Seconds) > generator.MaxContextSeconds + 1e-9)
            throw new InvalidOperationException($"examples are {examples.Max(e => e.Seconds):0.##} s but the generator takes at most {generator.MaxContextSeconds:0.##} s of context");
        var stopwatch = Stopwatch.StartNew();
        var generated = Generate(point, progress, cancellationToken);
        var generationSeconds = stopwatch.Elapsed.TotalSeconds;
        return Score(point, generated, generationSeconds, progress, cancellationToken);
    }

    /// <summary>Name of the baseline point scored by <see cref="RunMismatchedBaseline"/>.</summary>
    public const string MismatchedBaseline = "baseline: stem from another song";

    /// <summary>
    /// Scores the mismatched stems (a real stem of another song, same category where possible) as if
    /// they were generated: real audio that ignores its context, the floor a model must beat on
    /// coherence and MIRDD. Needs no generator.
    /// </summary>
    public static PointResult RunMismatchedBaseline(ReferenceSet reference, int parallelism, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var usable = reference.Examples.Where(e => e.Mismatched is not null).ToList();
        if (usable.Count != reference.Examples.Count)
            throw new InvalidOperationException($"the mismatched baseline needs a stem from another song for every example; {reference.Examples.Count - usable.Count} have none (the split has a single song?)");
        var point = new GridPoint(MismatchedBaseline, "baseline", "mismatched", SamplingOptions.Best);
        var runner = new EvaluationRunner(new NoGenerator(), reference, parallelism, 0);
        return runner.Score(point, reference.Examples.Select(e => e.Mismatched!).ToArray(), 0, progress, cancellationToken) with
        {
            Sampling = new SamplingSummary(double.NaN, double.NaN, "none", double.NaN, double.NaN, double.NaN, [], double.NaN),
        };
    }

    /// <summary>Stands in where no generation happens; generating through it is a programming error.</summary>
    private sealed class NoGenerator : IStemGenerator
    {
        public string Device => "none";
        public double MaxContextSeconds => double.PositiveInfinity;
        public GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the mismatched baseline does not generate");
    }

    private readonly Dictionary<string, (AudioBuffer[] Stems, double Seconds)> cache = [];

    private AudioBuffer[] Generate(GridPoint point, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var key = Key(point.Sampling);
        if (cache.TryGetValue(key, out var hit))
        {
            progress?.Report($"[{point.Name}] same options as an earlier point: reusing its {hit.Stems.Length} stems");
            return hit.Stems;
        }
        var examples = reference.Examples;
        var stems = new AudioBuffer[examples.Count];
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < examples.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = examples[i];
            var request = new GenerationRequest
            {
                Context = [e.Context],
                Category = e.Category,
                Sampling = point.Sampling with { Seed = unchecked((ulong)(seed * 1_000_003 + i)) },
            };
            var result = generator.Generate(request, cancellationToken: cancellationToken);
            if (result.Stems.Count == 0) throw new InvalidOperationException($"the generator returned no stem for example {i}");
            stems[i] = result.Stems[0].Audio;
            var done = i + 1;
            var perExample = stopwatch.Elapsed.TotalSeconds / done;
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"[{point.Name}] generated {done}/{examples.Count} ({e.Category}, {perExample:0.0} s/example, about {perExample * (examples.Count - done):0} s left)"));
        }
        cache[key] = (stems, stopwatch.Elapsed.TotalSeconds);
        return stems;
    }

    private PointResult Score(GridPoint point, AudioBuffer[] generated, double generationSeconds, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var examples = reference.Examples;
        var n = examples.Count;
        progress?.Report($"[{point.Name}] scoring {n} stems ({reference.Embedding.Name} embedding, MIR analyses)");
        var embeddings = new List<float[]>();
        foreach (var stem in generated)
        {
            cancellationToken.ThrowIfCancellationRequested();
            embeddings.AddRange(reference.Embedding.Embed(stem));
        }
        var realEmbeddings = reference.RealEmbeddings.SelectMany(e => e).ToList();
        var withContext = new MirAnalysis[n];
        var alone = new MirAnalysis[n];
        var lowShares = new double[n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, i =>
        {
            withContext[i] = MirAnalysis.Of(ReferenceSet.Sum(generated[i], examples[i].Context));
            alone[i] = MirAnalysis.Of(generated[i]);
            lowShares[i] = SpectralBalance.LowFrequencyShare(generated[i]);
        });
        if (Math.Min(embeddings.Count, realEmbeddings.Count) < 2)
            throw new InvalidOperationException($"FAD needs at least 2 embeddings per set (got {realEmbeddings.Count} real, {embeddings.Count} generated): use more or longer examples");
        var (kadBandwidth, kadRule) = reference.KadBandwidth;
        var fad = FadReport.Compute(reference.Embedding, realEmbeddings, embeddings, n, n, examples.Average(e => e.Seconds), withInfinity: true, kadBandwidth, kadRule);
        var mirdd = MirddCalculator.Compute(reference.RealWithContext, withContext);
        var generatedScores = Enumerable.Range(0, n).Select(i => CoherenceMetrics.Score(reference.Contexts[i], alone[i])).ToList();
        var realScores = Enumerable.Range(0, n).Select(i => CoherenceMetrics.Score(reference.Contexts[i], reference.RealStems[i])).ToList();
        var mismatchedByExample = Enumerable.Range(0, n)
            .Select(i => reference.MismatchedStems[i] is { } m ? CoherenceMetrics.Score(reference.Contexts[i], m) : null).ToList();
        var mismatchedScores = mismatchedByExample.OfType<CoherenceScores>().ToList();
        var figures = Enumerable.Range(0, n).Select(i => new ExampleFigures(examples[i].Category.ToString(), lowShares[i], reference.RealLowShares[i],
            generatedScores[i], reference.OtherContexts[i] is { } j ? CoherenceMetrics.Score(reference.Contexts[j], alone[i]) : null,
            realScores[i], mismatchedByExample[i])).ToList();
        var result = new PointResult(point.Name, point.Table, point.Cell, Summary(point.Sampling), n, fad, mirdd,
            CoherenceSummary.Of("generated", generatedScores), CoherenceSummary.Of("real", realScores),
            mismatchedScores.Count == 0 ? null : CoherenceSummary.Of("mismatched", mismatchedScores), generationSeconds,
            CategoryFigures.ByCategory(figures), CategoryFigures.Pitched(figures));
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"[{point.Name}] FAD ({fad.Embedding}, n={fad.ReferenceEmbeddings}/{fad.TestEmbeddings}) {fad.Fad:0.000}  KAD x1000 {fad.Kad?.KadTimes1000 ?? double.NaN:0.000} (h {fad.Kad?.Bandwidth ?? double.NaN:0.###})  MIRDD {mirdd.Mirdd:0.000}  key {result.Generated.KeyScore:0.00} (real {result.Real.KeyScore:0.00})"));
        return result;
    }

    public static SamplingSummary Summary(SamplingOptions s) => new(s.Guidance.ContextScale, s.Guidance.CategoryScale, s.Guidance.Mode.ToString(),
        s.RankingWeights.Confidence, s.RankingWeights.Causal, s.RankingWeights.Random, s.StepsPerLevel.ToList(), s.Temperature);

    private static string Key(SamplingOptions s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Guidance.ContextScale}|{s.Guidance.CategoryScale}|{s.Guidance.Mode}|{s.RankingWeights.Confidence}|{s.RankingWeights.Causal}|{s.RankingWeights.Random}|{string.Join(' ', s.StepsPerLevel)}|{s.Temperature}");
}
