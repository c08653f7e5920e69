namespace StemGen.Web.Data;

/// <summary>
/// One prepared clip: a stem mixed with a context, loudness-normalised, stored as a blob. Listeners
/// know it only by <see cref="PublicId"/> (random, says nothing); the condition and the source stay here.
/// Items of one <see cref="Example"/> share the drawn stem and context across conditions, so they pair.
/// </summary>
public sealed class StudyItem
{
    public const int PublicIdLength = 22;

    public int Id { get; set; }
    public int StudyId { get; set; }
    public int ConditionId { get; set; }
    public required string PublicId { get; set; }
    public int Example { get; set; }
    /// <summary>Where the clip came from ("test/Track00003 segment 0, stem S01 (Bass) at 12.0 s"): admin-only.</summary>
    public required string Source { get; set; }
    public string? BlobHash { get; set; }
    public double DurationSeconds { get; set; }
    /// <summary>Integrated loudness of the stored clip.</summary>
    public double Lufs { get; set; }

    public ListeningStudy? Study { get; set; }
    public StudyCondition? Condition { get; set; }
}
