using StemGen.Model.Sampling;

namespace StemGen.Evaluation.Suite;

/// <summary>One sampling setting to evaluate: a name, the table cell it belongs to, and the options.</summary>
public sealed record GridPoint(string Name, string Table, string Cell, SamplingOptions Sampling);

/// <summary>
/// The settings of the paper's tables. Table 1 (guidance, section 3.2.1): lambda_a, lambda_i in
/// {1, > 1}; the paper averages the "> 1" cells over values up to 4, here over the given values
/// (default 3, the paper's choice), with w_s = 0.1. Table 2: w_s in {0, 0.1, 0.2, 0.5} with
/// w_c = 0.1, w_r = 1 and lambda = 3. Table 3: naive (no guidance, no causal bias) vs best. Steps (not a
/// table of the paper, its plot of quality against decoding steps): best settings at several step counts.
/// </summary>
public static class EvaluationGrid
{
    public static SamplingOptions Naive(SamplingOptions template) => template with
    {
        RankingWeights = SamplingOptions.Naive.RankingWeights,
        Guidance = SamplingOptions.Naive.Guidance,
    };

    public static SamplingOptions Best(SamplingOptions template) => template with
    {
        RankingWeights = SamplingOptions.Best.RankingWeights,
        Guidance = SamplingOptions.Best.Guidance,
    };

    public static IReadOnlyList<GridPoint> Preset(string name, SamplingOptions template) => name switch
    {
        "naive" => [new GridPoint("naive", "preset", "naive", Naive(template))],
        "best" => [new GridPoint("best", "preset", "best", Best(template))],
        _ => throw new ArgumentException($"unknown preset '{name}' (use naive or best)"),
    };

    public static IReadOnlyList<GridPoint> Table1(SamplingOptions template, IReadOnlyList<double> scales)
    {
        if (scales.Count == 0 || scales.Any(s => !(s > 1))) throw new ArgumentException("table 1 guidance scales must all be greater than 1");
        var best = Best(template);
        GridPoint Point(string cell, double a, double i) => new($"table1 {cell} la={a:0.##} li={i:0.##}", "table1", cell,
            best with { Guidance = new GuidanceOptions(a, i) });
        var points = new List<GridPoint> { Point("li=1 la=1", 1, 1) };
        points.AddRange(scales.Select(s => Point("li>1 la=1", 1, s)));
        points.AddRange(scales.Select(s => Point("li=1 la>1", s, 1)));
        points.AddRange(scales.Select(s => Point("li>1 la>1", s, s)));
        return points;
    }

    public static IReadOnlyList<GridPoint> Table2(SamplingOptions template, IReadOnlyList<double> causalWeights)
    {
        if (causalWeights.Count == 0 || causalWeights.Any(w => !double.IsFinite(w) || w < 0)) throw new ArgumentException("table 2 w_s values must be finite and >= 0");
        var best = Best(template);
        return causalWeights.Select(ws => new GridPoint($"table2 ws={ws:0.###}", "table2", $"ws={ws:0.###}",
            best with { RankingWeights = new RankingWeights(0.1, ws, 1.0) })).ToList();
    }

    public static IReadOnlyList<GridPoint> Table3(SamplingOptions template) =>
        [new GridPoint("table3 naive", "table3", "naive", Naive(template)), new GridPoint("table3 best", "table3", "best", Best(template))];

    /// <summary>
    /// Best settings at each first-level step count S, later levels scaled as the paper's schedule 128, 64, 32, 32:
    /// level q gets S / 2^min(q, 2) steps, at least 1. Counts must be whole numbers of at least 1.
    /// </summary>
    public static IReadOnlyList<GridPoint> Steps(SamplingOptions template, IReadOnlyList<double> firstLevelSteps)
    {
        if (firstLevelSteps.Count == 0) throw new ArgumentException("the steps grid needs at least one first-level step count");
        foreach (var s in firstLevelSteps)
            if (!(s >= 1 && s <= 100_000 && s == Math.Floor(s))) // NaN fails every comparison
                throw new ArgumentException($"steps grid values must be whole numbers from 1 to 100000, not {s.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        var best = Best(template);
        var levels = template.StepsPerLevel.Count;
        return firstLevelSteps.Distinct().Select(v => (int)v).Select(s => new GridPoint($"steps S={s}", "steps", $"S={s}",
            best with { StepsPerLevel = Enumerable.Range(0, levels).Select(q => Math.Max(1, s >> Math.Min(q, 2))).ToList() })).ToList();
    }

    /// <summary>Points for a comma-separated list of runs: naive, best, table1, table2, table3, steps (duplicates by name dropped).</summary>
    public static IReadOnlyList<GridPoint> Parse(string runs, SamplingOptions template, IReadOnlyList<double> table1Scales, IReadOnlyList<double> table2Weights,
        IReadOnlyList<double>? stepsGrid = null)
    {
        var points = new List<GridPoint>();
        foreach (var run in runs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            points.AddRange(run.ToLowerInvariant() switch
            {
                "naive" or "best" => Preset(run.ToLowerInvariant(), template),
                "table1" => Table1(template, table1Scales),
                "table2" => Table2(template, table2Weights),
                "table3" => Table3(template),
                "steps" => Steps(template, stepsGrid ?? []),
                _ => throw new ArgumentException($"unknown run '{run}' (use naive, best, table1, table2, table3, steps)"),
            });
        if (points.Count == 0) throw new ArgumentException("no run given (use naive, best, table1, table2, table3, steps)");
        return points.DistinctBy(p => p.Name).ToList();
    }
}
