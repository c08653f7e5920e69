using System.Globalization;
using StemGen.Evaluation.Coherence;

namespace StemGen.Evaluation.Suite;

/// <summary>One figure of the generalization check: its value, what it is made of, what is wanted, and whether it is met (null when it cannot be computed).</summary>
public sealed record CheckLine(string Set, string Setting, string Figure, double Value, string Detail, string Wanted, bool? Pass)
{
    public string Verdict => Pass switch { true => "pass", false => "FAIL", null => "n/a" };
}

/// <summary>
/// The figures a model must reach to generalize, per set and per setting (naive, best, the mismatched baseline):
/// generated Bass / generated Drums share of energy below 250 Hz (at least 2); generated drums' onset alignment
/// with their own context minus with another song's context (at least 0.05) and over the real drums' (at least
/// 0.5); key score of generated pitched stems above the mismatched stems'; and per set FAD(best) &lt; FAD(naive).
/// The targets are for the best preset; naive and baseline read against it.
/// </summary>
public static class GeneralizationCheck
{
    public const double MinLowShareRatio = 2;
    public const double MinOnsetMargin = 0.05;
    public const double MinOnsetOfReal = 0.5;

    public static IReadOnlyList<CheckLine> Of(EvaluationReport report)
    {
        var lines = new List<CheckLine>();
        foreach (var (set, r) in report.Sets())
        {
            var naive = r.Points.FirstOrDefault(p => p.Cell == "naive" && p.Table != "baseline");
            var best = r.Points.FirstOrDefault(p => p.Cell == "best" && p.Table != "baseline");
            var baseline = r.Points.FirstOrDefault(p => p.Table == "baseline");
            foreach (var (setting, point) in new[] { ("naive", naive), ("best", best), ("baseline", baseline) })
                if (point is not null) lines.AddRange(Figures(set, setting, point));
            if (naive is not null && best is not null)
                lines.Add(new CheckLine(set, "best vs naive", "FAD(best) < FAD(naive)", best.Fad.Fad - naive.Fad.Fad,
                    Text($"FAD best {best.Fad.Fad:0.000}, naive {naive.Fad.Fad:0.000} ({best.Fad.Embedding})"), "< 0",
                    Defined(best.Fad.Fad - naive.Fad.Fad) ? best.Fad.Fad < naive.Fad.Fad : null));
        }
        return lines;
    }

    private static IEnumerable<CheckLine> Figures(string set, string setting, PointResult point)
    {
        var bass = point.ByCategory?.FirstOrDefault(c => c.Category == nameof(Data.InstrumentCategory.Bass));
        var drums = point.ByCategory?.FirstOrDefault(c => c.Category == nameof(Data.InstrumentCategory.Drums));
        var pitched = point.Pitched;

        var ratio = bass is null || drums is null ? double.NaN : bass.LowShareGenerated / drums.LowShareGenerated;
        var realRatio = bass is null || drums is null ? double.NaN : bass.LowShareReal / drums.LowShareReal;
        yield return new CheckLine(set, setting, "bass / drums low share", ratio,
            bass is null || drums is null ? $"needs Bass and Drums examples (Bass {bass?.Examples ?? 0}, Drums {drums?.Examples ?? 0})"
                : Text($"bass {bass.LowShareGenerated:0.000} ({bass.Examples}), drums {drums.LowShareGenerated:0.000} ({drums.Examples}); real {realRatio:0.00}"),
            Text($">= {MinLowShareRatio:0.##}"), Defined(ratio) ? ratio >= MinLowShareRatio : null);

        var margin = drums is null ? double.NaN : drums.OnsetGenerated - drums.OnsetOtherContext;
        yield return new CheckLine(set, setting, "drums onset own - other", margin,
            drums is null ? "needs Drums examples" : Text($"own {drums.OnsetGenerated:0.000}, other context {drums.OnsetOtherContext:0.000}, mismatched {drums.OnsetMismatched:0.000}"),
            Text($">= {MinOnsetMargin:0.00}"), Defined(margin) ? margin >= MinOnsetMargin : null);

        var ofReal = drums is null ? double.NaN : drums.OnsetGenerated / drums.OnsetReal;
        yield return new CheckLine(set, setting, "drums onset own / real", ofReal,
            drums is null ? "needs Drums examples" : Text($"own {drums.OnsetGenerated:0.000}, real {drums.OnsetReal:0.000}"),
            Text($">= {MinOnsetOfReal:0.0}"), Defined(ofReal) ? ofReal >= MinOnsetOfReal : null);

        var key = pitched is null ? double.NaN : pitched.KeyGenerated - pitched.KeyMismatched;
        yield return new CheckLine(set, setting, "pitched key gen - mismatched", key,
            pitched is null ? "needs pitched examples" : Text($"gen {pitched.KeyGenerated:0.000}, mismatched {pitched.KeyMismatched:0.000}, real {pitched.KeyReal:0.000} ({pitched.Examples})"),
            "> 0", Defined(key) ? key > 0 : null);
    }

    private static bool Defined(double v) => double.IsFinite(v);
    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
