using System.Globalization;
using StemGen.Evaluation.Suite;

namespace StemGen.Web.Components.Admin;

/// <summary>Lookups the evaluation tables and plots share: a table cell, its per-descriptor MIRDD, the curves against guidance scale and steps.</summary>
public static class EvaluationFigures
{
    public const string Table1Base = "li=1 la=1", Table1Both = "li>1 la>1";

    public static CellAverage? Cell(EvaluationReport report, string table, string cell) =>
        report.Cells.FirstOrDefault(c => c.Table == table && c.Cell == cell);

    /// <summary>Cells of a table in report order, as (cell, cell average).</summary>
    public static IEnumerable<string> CellNames(EvaluationReport? report, string table) =>
        report is null ? [] : report.Points.Where(p => p.Table == table).Select(p => p.Cell).Distinct();

    /// <summary>A descriptor's KL averaged over the cell's points (NaN when undefined everywhere).</summary>
    public static double? Descriptor(EvaluationReport report, string table, string cell, string descriptor)
    {
        var values = report.Points.Where(p => p.Table == table && p.Cell == cell)
            .Select(p => p.Mirdd.Descriptors.FirstOrDefault(d => d.Descriptor == descriptor)).Where(d => d is not null && d.Undefined is null).Select(d => d!.Kl).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    /// <summary>FAD or MIRDD against lambda (= lambda_a = lambda_i): table 1's both-above-1 points and its (1, 1) point.</summary>
    public static IReadOnlyList<CurveChart.Point> AgainstGuidance(EvaluationReport report, Func<PointResult, double> metric) =>
        report.Points.Where(p => p.Table == "table1" && p.Cell is Table1Base or Table1Both)
            .Select(p => new CurveChart.Point(p.Sampling.LambdaA, metric(p))).OrderBy(p => p.X).ToList();

    /// <summary>FAD or MIRDD against the first level's step count S of the steps grid.</summary>
    public static IReadOnlyList<CurveChart.Point> AgainstSteps(EvaluationReport report, Func<PointResult, double> metric) =>
        report.Points.Where(p => p.Table == "steps" && p.Sampling.Steps.Count > 0)
            .Select(p => new CurveChart.Point(p.Sampling.Steps[0], metric(p))).OrderBy(p => p.X).ToList();

    /// <summary>What a table's numbers rest on: n examples, clip length, FAD embedding.</summary>
    public static string Caption(EvaluationReport report) => string.Create(CultureInfo.InvariantCulture,
        $"n = {report.Examples} examples of {report.ClipSeconds:0.##} s; FAD embedding {report.Embedding}");

    public static string Number(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString(Math.Abs(v) >= 100 ? "0.0" : "0.000", CultureInfo.InvariantCulture) : "—";

    public static string Difference(double? a, double? b) =>
        a is { } x && b is { } y && double.IsFinite(x) && double.IsFinite(y) ? Signed.Of(y - x) : "—";
}
