using StemGen.Jobs;
using StemGen.Web.Data;

namespace StemGen.Web.Listening;

/// <summary>
/// What an admin asks for when designing a study: the question, the conditions (hidden reference,
/// the studio model with each preset, low anchor), how many items per condition from which dataset,
/// the clip length, who may take it and how raters are screened. <see cref="Validate"/> says what is wrong.
/// </summary>
public sealed record StudyDesign
{
    public const double MinClipSeconds = 1, MaxClipSeconds = 30;
    public const int MaxItemsPerCondition = 200;
    /// <summary>EBU R128 programme loudness: every prepared mix is brought here.</summary>
    public const double LoudnessLufs = -23;

    public string Name { get; init; } = "";
    public string? Instructions { get; init; }
    public StudyQuestion Question { get; init; } = StudyQuestion.FitsMix;
    public string Dataset { get; init; } = "";
    public long? Seed { get; init; }
    public int ItemsPerCondition { get; init; } = 10;
    public double ClipSeconds { get; init; } = 10;
    /// <summary>Seconds a listener must hear before rating; null or 0: the whole clip.</summary>
    public double? MinPlaySeconds { get; init; }
    public bool Reference { get; init; } = true;
    /// <summary>Sampling presets of the studio's model, one generated condition each (<see cref="GenerationParameters.Presets"/>).</summary>
    public IReadOnlyList<string> Presets { get; init; } = ["naive", "best"];
    public bool Anchor { get; init; } = true;
    public bool OpenToAll { get; init; }
    public ScreeningRule Screening { get; init; } = ScreeningRule.None;
    public double ReferenceBelow { get; init; } = 3;
    public double AnchorAbove { get; init; } = 3;
    public double MaxFailPercent { get; init; } = 30;

    public const string DefaultInstructions =
        "Put on headphones in a quiet room. Each clip is a short piece of music. Play it to the end, then rate it. " +
        "Rate each clip on its own; there are no right answers. You can stop at any time and come back later.";

    public void Validate()
    {
        var name = Name?.Trim() ?? "";
        if (name.Length == 0) throw new StudioValidationException("give the study a name");
        if (name.Length > ListeningStudy.MaxNameLength) throw new StudioValidationException($"a study name has at most {ListeningStudy.MaxNameLength} characters");
        if ((Instructions?.Length ?? 0) > ListeningStudy.MaxInstructionsLength)
            throw new StudioValidationException($"the instructions have at most {ListeningStudy.MaxInstructionsLength} characters");
        if (!Enum.IsDefined(Question)) throw new StudioValidationException("unknown question");
        if (ItemsPerCondition < 1 || ItemsPerCondition > MaxItemsPerCondition)
            throw new StudioValidationException($"items per condition must be 1 to {MaxItemsPerCondition} (got {ItemsPerCondition})");
        if (!double.IsFinite(ClipSeconds) || ClipSeconds < MinClipSeconds || ClipSeconds > MaxClipSeconds)
            throw new StudioValidationException($"the clip length must be {MinClipSeconds:0} to {MaxClipSeconds:0} seconds (got {ClipSeconds})");
        if (MinPlaySeconds is { } min && (!double.IsFinite(min) || min < 0 || min > ClipSeconds))
            throw new StudioValidationException($"the minimum play time must be 0 to the clip length ({ClipSeconds:0.#} s)");
        if (Presets is null) throw new StudioValidationException("list the presets of the generated conditions (an empty list for none)");
        foreach (var preset in Presets)
            if (!GenerationParameters.Presets.Contains(preset))
                throw new StudioValidationException($"unknown preset '{preset}' (use {string.Join(", ", GenerationParameters.Presets)})");
        if (Presets.Distinct().Count() != Presets.Count) throw new StudioValidationException("each preset is one condition: a preset is listed twice");
        if (!Reference && !Anchor && Presets.Count == 0) throw new StudioValidationException("choose at least one condition");
        if (!Enum.IsDefined(Screening)) throw new StudioValidationException("unknown screening rule");
        if (Screening is ScreeningRule.Reference or ScreeningRule.Both && !Reference)
            throw new StudioValidationException("screening on the hidden reference needs the real-stem condition");
        if (Screening is ScreeningRule.Anchor or ScreeningRule.Both && !Anchor)
            throw new StudioValidationException("screening on the low anchor needs the anchor condition");
        CheckScreening(ReferenceBelow, AnchorAbove, MaxFailPercent);
    }

    public static void CheckScreening(double referenceBelow, double anchorAbove, double maxFailPercent)
    {
        if (!double.IsFinite(referenceBelow) || referenceBelow < 1 || referenceBelow > 5) throw new StudioValidationException("the reference threshold is a rating from 1 to 5");
        if (!double.IsFinite(anchorAbove) || anchorAbove < 1 || anchorAbove > 5) throw new StudioValidationException("the anchor threshold is a rating from 1 to 5");
        if (!double.IsFinite(maxFailPercent) || maxFailPercent < 0 || maxFailPercent > 100) throw new StudioValidationException("the allowed failures are 0 to 100 %");
    }

    /// <summary>The conditions in the order the results list them (admin-facing names).</summary>
    public IReadOnlyList<StudyCondition> Conditions()
    {
        var list = new List<StudyCondition>();
        if (Reference) list.Add(new StudyCondition { Kind = ConditionKind.Reference, Name = "Real stem (hidden reference)" });
        if (Presets is null) throw new StudioValidationException("list the presets of the generated conditions (an empty list for none)");
        foreach (var preset in Presets)
            list.Add(new StudyCondition { Kind = ConditionKind.Generated, Preset = preset, Name = $"StemGen, {preset} sampler" });
        if (Anchor) list.Add(new StudyCondition { Kind = ConditionKind.Anchor, Name = "Low anchor (stem over another song)" });
        for (var i = 0; i < list.Count; i++) list[i].Position = i;
        return list;
    }

    public static string QuestionText(StudyQuestion question) => question switch
    {
        StudyQuestion.OverallQuality => "How good is the overall quality of this music?",
        _ => "How well does the part fit the rest of the music?",
    };

    /// <summary>The ACR scale (ITU-T P.800), best first.</summary>
    public static IReadOnlyList<(int Score, string Label)> Scale { get; } = [(5, "Excellent"), (4, "Good"), (3, "Fair"), (2, "Poor"), (1, "Bad")];
}
