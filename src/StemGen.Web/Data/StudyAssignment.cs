namespace StemGen.Web.Data;

/// <summary>
/// One item given to one listener, at its place in that listener's own random order, with how much
/// of it they have heard and their rating. Unique per (listener, item): one rating each, never changed.
/// </summary>
public sealed class StudyAssignment
{
    public int Id { get; set; }
    public int StudyId { get; set; }
    public required string UserId { get; set; }
    public int ItemId { get; set; }
    public int Position { get; set; }
    /// <summary>The furthest playback position the page reported, seconds.</summary>
    public double PlayedSeconds { get; set; }
    public bool Ended { get; set; }
    /// <summary>When the studio first served this clip's audio to the listener (its own clock): a rating needs the clip's play time since then.</summary>
    public DateTime? AudioFetchedAt { get; set; }
    public int? Score { get; set; }
    public DateTime? RatedAt { get; set; }

    public StudyItem? Item { get; set; }
}
