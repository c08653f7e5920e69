using StemGen.Data;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Fad;
using StemGen.Model.Generation;
using StemGen.Model.Sampling;

namespace StemGen.Evaluation.Suite;

/// <summary>
/// Where an evaluation stands: <see cref="Done"/> of <see cref="Total"/> stages finished (drawing the examples,
/// the reference side, the baseline, one per setting) and the latest progress line.
/// </summary>
public sealed record EvaluationProgress(string Stage, int Done, int Total, string Message)
{
    public double Fraction => Total <= 0 ? 0 : Math.Clamp((double)Done / Total, 0, 1);
}

/// <summary>What to evaluate: the model's settings and whether the mismatched baseline is scored too.</summary>
public sealed record EvaluationPlan(IReadOnlyList<GridPoint> Points, bool Baseline);

/// <summary>
/// The paper's evaluation (section 3.2) as one call, shared by `stemgen evaluate` and the studio's evaluation job:
/// draw the examples, compute the reference side once, score the mismatched baseline and every setting.
/// </summary>
public static class EvaluationSuite
{
    public const string BaselineRun = "baseline";

    /// <summary>
    /// The settings of a comma-separated run list (naive, best, table1, table2, table3, steps, baseline). Bad runs or
    /// grid values throw <see cref="ArgumentException"/> with the reason.
    /// </summary>
    public static EvaluationPlan Plan(string runs, SamplingOptions template, IReadOnlyList<double> table1Scales, IReadOnlyList<double> table2Weights,
        IReadOnlyList<double> stepsGrid)
    {
        var list = runs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var baseline = list.RemoveAll(r => r.Equals(BaselineRun, StringComparison.OrdinalIgnoreCase)) > 0;
        template.Validate();
        // baseline alone needs no model; anything else (or nothing) goes through the grid's own checks
        var points = list.Count > 0 || !baseline ? EvaluationGrid.Parse(string.Join(',', list), template, table1Scales, table2Weights, stepsGrid) : [];
        return new EvaluationPlan(points, baseline);
    }

    /// <summary>Draws the examples, computes the reference side once, then the baseline and every point; the report of all of them.</summary>
    /// <param name="categories">Restrict and balance the examples' target categories (<see cref="EvaluationExamples.Draw"/>); null draws them as training does.</param>
    public static EvaluationReport Run(IStemGenerator? generator, EvaluationPlan plan, ImportManifest manifest, string split, int count, double seconds, long seed,
        IAudioEmbedding embedding, int parallelism, string generatorName, IProgress<EvaluationProgress> progress, CancellationToken cancellationToken,
        IReadOnlyList<InstrumentCategory>? categories = null)
    {
        var (points, baseline) = (plan.Points, plan.Baseline);
        if (points.Count > 0 && generator is null) throw new ArgumentException("model settings need a generator", nameof(generator));
        var lines = new StageLines(progress, 2 + (baseline ? 1 : 0) + (generator is null ? 0 : points.Count));
        lines.Report($"evaluate: {count} examples of {seconds:0.##} s from {manifest.Root} split '{split}'; {points.Count} settings{(baseline ? " + mismatched baseline" : "")}; " +
                     $"FAD embedding {embedding.Name}; generator on {generator?.Device ?? "none"}");
        lines.Stage("drawing examples");
        var drawn = EvaluationExamples.Draw(manifest, split, count, seconds, seed, lines, cancellationToken, categories);
        lines.Stage("reference: embeddings and MIR analyses of the real stems");
        var reference = ReferenceSet.Compute(drawn, embedding, parallelism, lines, cancellationToken);
        var results = new List<PointResult>();
        if (baseline)
        {
            lines.Stage("mismatched baseline");
            results.Add(EvaluationRunner.RunMismatchedBaseline(reference, parallelism, lines, cancellationToken));
        }
        if (generator is not null)
        {
            var runner = new EvaluationRunner(generator, reference, parallelism, seed);
            foreach (var point in points)
            {
                lines.Stage(point.Name);
                results.Add(runner.Run(point, lines, cancellationToken));
            }
        }
        lines.Stage("done");
        var notes = new List<string>
        {
            $"FAD embedding '{embedding.Name}': {embedding.Description}",
            "KAD: unbiased MMD^2 with a Gaussian RBF kernel on the FAD embeddings, reported x1000 (kadX1000) with its bandwidth h; comparable only at the same h and embedding",
            "MIRDD: KL(reference || generated) per descriptor on stems summed with their context mix, bins from the reference, epsilon 1e-4",
            "coherence: MIREX key score, frame-wise chord agreement, chord-tone ratio, onset alignment (50 ms, eighth-note grid), tempo match (4 %, double/half allowed)",
        };
        if (categories is not null) notes.Add($"target categories restricted to {string.Join(", ", categories.Distinct())}, drawn in turn");
        notes.Add("per category (byCategory, pitched): share of energy below 250 Hz (|STFT|^2, 2048-point frames, hop 512) of generated and real stems; " +
                  "onset alignment and key score of the generated stem with its own context and with another song's context, of the mismatched and the real stem");
        if (drawn.Count < count) notes.Add($"only {drawn.Count} of {count} requested examples could be drawn");
        notes.AddRange(results.Where(r => r.Fad.Warning is not null).Select(r => $"{r.Name}: {r.Fad.Warning}").Distinct());
        return new EvaluationReport
        {
            Dataset = manifest.Root ?? manifest.Source,
            Split = split,
            Generator = generatorName,
            Device = generator?.Device ?? "none",
            Embedding = embedding.Name,
            EmbeddingDescription = embedding.Description,
            Examples = drawn.Count,
            ClipSeconds = drawn.Average(e => e.Seconds),
            Seed = seed,
            Categories = drawn.GroupBy(e => e.Category.ToString()).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Points = results,
            Notes = notes,
        };
    }

    /// <summary>
    /// <see cref="Run"/> on two datasets with the same plan, counts, clip length and seed: the in-distribution one and a
    /// held-out one (e.g. a split rendered with a SoundFont and seeds no training song used). The report is the
    /// in-distribution one with <see cref="EvaluationReport.HeldOut"/> set, each named by <see cref="EvaluationReport.Set"/>.
    /// </summary>
    public static EvaluationReport RunWithHeldOut(IStemGenerator? generator, EvaluationPlan plan, ImportManifest manifest, string split,
        ImportManifest heldOut, string heldOutSplit, int count, double seconds, long seed, IAudioEmbedding embedding, int parallelism, string generatorName,
        IProgress<EvaluationProgress> progress, CancellationToken cancellationToken, IReadOnlyList<InstrumentCategory>? categories = null)
    {
        var inDistribution = Run(generator, plan, manifest, split, count, seconds, seed, embedding, parallelism, generatorName,
            new SetProgress(progress, EvaluationReport.InDistributionSet, 0), cancellationToken, categories);
        var held = Run(generator, plan, heldOut, heldOutSplit, count, seconds, seed, embedding, parallelism, generatorName,
            new SetProgress(progress, EvaluationReport.HeldOutSet, 1), cancellationToken, categories);
        return inDistribution with { Set = EvaluationReport.InDistributionSet, HeldOut = held with { Set = EvaluationReport.HeldOutSet } };
    }

    /// <summary>Progress of one of two runs with the same plan (hence the same number of stages): stages named by set, counts over both.</summary>
    private sealed class SetProgress(IProgress<EvaluationProgress> progress, string set, int index) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) =>
            progress.Report(new EvaluationProgress($"{set}: {value.Stage}", index * value.Total + value.Done, 2 * value.Total, $"[{set}] {value.Message}"));
    }

    /// <summary>Turns the stages' progress lines into <see cref="EvaluationProgress"/>: each line carries the stage it belongs to and how many stages are done.</summary>
    private sealed class StageLines(IProgress<EvaluationProgress> progress, int total) : IProgress<string>
    {
        private string stage = "starting";
        private int done = -1;

        /// <summary>A new stage begins: the previous one is done.</summary>
        public void Stage(string name)
        {
            (stage, done) = (name, done + 1);
            progress.Report(new EvaluationProgress(stage, Math.Max(done, 0), total, name));
        }

        public void Report(string value) => progress.Report(new EvaluationProgress(stage, Math.Max(done, 0), total, value));
    }
}
