namespace StemGen.Web.Data;

public enum CandidateStatus
{
    Pending = 0,
    Accepted = 1,
}

/// <summary>One generated variation of a job, waiting to be auditioned and accepted (discarding deletes it).</summary>
public sealed class GenerationCandidate
{
    public int Id { get; set; }
    public int JobId { get; set; }
    /// <summary>The variation number; (JobId, Index) is unique, which makes rewriting a rerun job's results idempotent.</summary>
    public int Index { get; set; }
    public required string BlobHash { get; set; }
    public long SizeBytes { get; set; }
    public double DurationSeconds { get; set; }
    public int SampleRate { get; set; }
    public int Channels { get; set; }
    public required byte[] Peaks { get; set; }
    public int PeaksSamplesPerBucket { get; set; }
    public CandidateStatus Status { get; set; }
    public int? AcceptedStemId { get; set; }
    public DateTime CreatedAt { get; set; }

    public GenerationJob? Job { get; set; }
}
