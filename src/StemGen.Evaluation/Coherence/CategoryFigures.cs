namespace StemGen.Evaluation.Coherence;

/// <summary>
/// What one example contributes to the per-category figures of a setting: the target category, the share
/// of energy below 250 Hz of the generated and of the real stem, and the coherence of the generated stem
/// with its own context, of the generated stem with another song's context, of the real stem and of the
/// mismatched stem (a stem of another song) with the own context.
/// </summary>
public sealed record ExampleFigures(string Category, double LowShareGenerated, double LowShareReal, CoherenceScores Generated,
    CoherenceScores? OtherContext, CoherenceScores Real, CoherenceScores? Mismatched);

/// <summary>
/// Means over the examples of one target category (NaNs skipped; a mean with no defined value is NaN).
/// Onset and key are each given for the generated stem with its own context, the generated stem with
/// another song's context ("other context"), the mismatched stem with the own context, and the real stem.
/// </summary>
public sealed record CategoryFigures(string Category, int Examples, double LowShareGenerated, double LowShareReal,
    double OnsetGenerated, double OnsetOtherContext, double OnsetMismatched, double OnsetReal,
    double KeyGenerated, double KeyOtherContext, double KeyMismatched, double KeyReal)
{
    /// <summary>Name of the pooled row of the pitched categories (<see cref="Pitched"/>).</summary>
    public const string PitchedName = "pitched";

    /// <summary>Categories without a key of their own: their key figures say nothing about harmony.</summary>
    public static readonly IReadOnlySet<string> Unpitched = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(Data.InstrumentCategory.Drums), nameof(Data.InstrumentCategory.Percussive), nameof(Data.InstrumentCategory.SoundEffects),
    };

    /// <summary>One row per category that has examples, in ordinal order of the category name.</summary>
    public static IReadOnlyList<CategoryFigures> ByCategory(IEnumerable<ExampleFigures> examples) =>
        examples.GroupBy(e => e.Category).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Of(g.Key, g.ToList())).ToList();

    /// <summary>All pitched examples (every category but Drums, Percussive and SoundEffects) pooled; null when there are none.</summary>
    public static CategoryFigures? Pitched(IEnumerable<ExampleFigures> examples)
    {
        var pitched = examples.Where(e => !Unpitched.Contains(e.Category)).ToList();
        return pitched.Count == 0 ? null : Of(PitchedName, pitched);
    }

    public static CategoryFigures Of(string category, IReadOnlyList<ExampleFigures> examples)
    {
        static double Mean(IEnumerable<double> values)
        {
            var defined = values.Where(double.IsFinite).ToList();
            return defined.Count == 0 ? double.NaN : defined.Average();
        }
        return new CategoryFigures(category, examples.Count,
            Mean(examples.Select(e => e.LowShareGenerated)), Mean(examples.Select(e => e.LowShareReal)),
            Mean(examples.Select(e => e.Generated.OnsetAlignment)), Mean(examples.Select(e => e.OtherContext?.OnsetAlignment ?? double.NaN)),
            Mean(examples.Select(e => e.Mismatched?.OnsetAlignment ?? double.NaN)), Mean(examples.Select(e => e.Real.OnsetAlignment)),
            Mean(examples.Select(e => e.Generated.KeyScore)), Mean(examples.Select(e => e.OtherContext?.KeyScore ?? double.NaN)),
            Mean(examples.Select(e => e.Mismatched?.KeyScore ?? double.NaN)), Mean(examples.Select(e => e.Real.KeyScore)));
    }
}
