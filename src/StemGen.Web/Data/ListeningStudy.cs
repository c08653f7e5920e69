namespace StemGen.Web.Data;

/// <summary>The question listeners answer on the ACR 1-5 scale (ITU-T P.800: 5 Excellent ... 1 Bad).</summary>
public enum StudyQuestion
{
    /// <summary>The paper's question: how well the part fits the rest of the music.</summary>
    FitsMix = 0,
    /// <summary>The overall quality of the mix.</summary>
    OverallQuality = 1,
}

public enum StudyState
{
    /// <summary>The items are being prepared by a job; listeners do not see the study yet.</summary>
    Preparing = 0,
    /// <summary>Listeners can take it.</summary>
    Open = 1,
    /// <summary>Preparation failed (the study's Error says why).</summary>
    Failed = 2,
    /// <summary>No more ratings; results stay.</summary>
    Closed = 3,
}

/// <summary>Which raters the results leave out, judged on the attention checks (the hidden reference and the low anchor).</summary>
public enum ScreeningRule
{
    None = 0,
    /// <summary>Out when the hidden reference is rated below <see cref="ListeningStudy.ReferenceBelow"/> in more than <see cref="ListeningStudy.MaxFailPercent"/> % of its trials.</summary>
    Reference = 1,
    /// <summary>Out when the low anchor is rated above <see cref="ListeningStudy.AnchorAbove"/> in more than <see cref="ListeningStudy.MaxFailPercent"/> % of its trials.</summary>
    Anchor = 2,
    /// <summary>Either of the two.</summary>
    Both = 3,
}

/// <summary>
/// A blind MOS study: what listeners are asked, which conditions are compared, where the items come
/// from, and who may take it. Conditions and item sources are for admins only; listeners see items
/// by their opaque <see cref="StudyItem.PublicId"/>.
/// </summary>
public sealed class ListeningStudy
{
    public const int MaxNameLength = 200;
    public const int MaxInstructionsLength = 4000;

    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Instructions { get; set; }
    public StudyQuestion Question { get; set; }
    /// <summary>The imported dataset folder, relative to <see cref="StudioOptions.DatasetsRoot"/>.</summary>
    public required string Dataset { get; set; }
    public long Seed { get; set; }
    public int ItemsPerCondition { get; set; }
    public double ClipSeconds { get; set; }
    /// <summary>How much of a clip must be heard before a rating counts; null: all of it.</summary>
    public double? MinPlaySeconds { get; set; }
    /// <summary>Every prepared mix is normalised to this loudness, so loudness does not steer ratings.</summary>
    public double LoudnessLufs { get; set; }
    /// <summary>Any Listener may take it (otherwise only the invited).</summary>
    public bool OpenToAll { get; set; }

    public ScreeningRule Screening { get; set; }
    public double ReferenceBelow { get; set; } = 3;
    public double AnchorAbove { get; set; } = 3;
    public double MaxFailPercent { get; set; } = 30;

    /// <summary>Per-study key of the listener pseudonyms in exports (HMAC of the user id).</summary>
    public required byte[] PseudonymKey { get; set; }

    public StudyState State { get; set; }
    public double ProgressPercent { get; set; }
    public string? Phase { get; set; }
    public string? Error { get; set; }
    public string? HangfireJobId { get; set; }
    public required string CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }

    public List<StudyCondition> Conditions { get; set; } = [];
    public List<StudyItem> Items { get; set; } = [];
    public List<StudyInvite> Invites { get; set; } = [];
}
