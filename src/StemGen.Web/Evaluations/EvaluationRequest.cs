using System.Globalization;
using StemGen.Evaluation.Suite;
using StemGen.Model.Sampling;
using StemGen.Web.Data;

namespace StemGen.Web.Evaluations;

/// <summary>
/// What an admin asks for on the evaluation form (the options of `stemgen evaluate`); <see cref="Validate"/> names the
/// first problem of the settings alone (the model and the dataset are checked by <see cref="EvaluationService"/>).
/// Number lists are comma-separated invariant-culture numbers.
/// </summary>
public sealed record EvaluationRequest(
    string? Model, string? Dataset, string? Split = "test", string? Runs = "table3,baseline", int Examples = 50, double Seconds = 10,
    string? Embedding = EvaluationRequest.LogMelStats, long Seed = 1, string? Steps = "128,64,32,32", string? Table1Scales = "3", string? Table2Ws = "0,0.1,0.2,0.5",
    string? StepsGrid = "4,8,16")
{
    public const string LogMelStats = "logmel-stats";
    public const int MinExamples = 2, MaxExamples = 400;
    public const double MinSeconds = 1, MaxSeconds = 60;
    public static readonly string[] RunNames = ["naive", "best", "table1", "table2", "table3", "steps", EvaluationSuite.BaselineRun];

    /// <summary>The settings checked and turned into the suite's plan; every refusal a <see cref="StudioValidationException"/>.</summary>
    public EvaluationPlan Validate()
    {
        if (Examples is < MinExamples or > MaxExamples)
            throw new StudioValidationException($"examples must be {MinExamples} to {MaxExamples} (FAD needs at least two), not {Examples}");
        if (!(Seconds is >= MinSeconds and <= MaxSeconds))
            throw new StudioValidationException($"seconds must be {MinSeconds} to {MaxSeconds}, not {Seconds.ToString(CultureInfo.InvariantCulture)}");
        if (Seed < 0) throw new StudioValidationException($"the seed must be 0 or more, not {Seed}");
        switch (Embedding?.Trim().ToLowerInvariant())
        {
            case LogMelStats: break;
            case "vggish": throw new StudioValidationException("the vggish embedding needs the public VGGish weights, and none ship with the studio: use logmel-stats here, or `stemgen evaluate --embedding vggish --vggish-weights FILE`");
            default: throw new StudioValidationException($"unknown embedding '{Embedding}': use {LogMelStats}");
        }
        if (string.IsNullOrWhiteSpace(Split)) throw new StudioValidationException("name the split to draw examples from (e.g. test)");
        var runs = (Runs ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (runs.FirstOrDefault(r => !RunNames.Contains(r.ToLowerInvariant())) is { } unknown)
            throw new StudioValidationException($"unknown run '{unknown}': use {string.Join(", ", RunNames)}");
        if (runs.Length == 0) throw new StudioValidationException($"choose at least one run ({string.Join(", ", RunNames)})");
        var steps = Numbers(Steps, "steps per level");
        if (steps.Any(s => s < 1 || s != Math.Floor(s) || s > 100_000))
            throw new StudioValidationException($"steps per level must be whole numbers from 1 to 100000, not '{Steps}'");
        var template = new SamplingOptions { StepsPerLevel = steps.Select(s => (int)s).ToList() };
        try { return EvaluationSuite.Plan(string.Join(',', runs), template, Numbers(Table1Scales, "table 1 scales"), Numbers(Table2Ws, "table 2 w_s"), Numbers(StepsGrid, "steps grid")); }
        catch (ArgumentException e) { throw new StudioValidationException(e.Message); }
    }

    /// <summary>Comma-separated finite numbers, at least one.</summary>
    private static List<double> Numbers(string? text, string what)
    {
        var values = new List<double>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                throw new StudioValidationException($"{what}: '{part}' is not a finite number");
            values.Add(v);
        }
        if (values.Count == 0) throw new StudioValidationException($"{what}: give at least one number");
        return values;
    }

    /// <summary>A number list as stored: trimmed parts joined by commas.</summary>
    internal static string Canonical(string? text) =>
        string.Join(',', (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
