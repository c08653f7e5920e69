using System.ComponentModel.DataAnnotations.Schema;
using StemGen.Web.Storage;

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
    public string BlobHash { get; set; } = "";
    public long SizeBytes { get; set; }
    public double DurationSeconds { get; set; }
    public int SampleRate { get; set; }
    public int Channels { get; set; }
    public byte[] Peaks { get; set; } = [];
    public int PeaksSamplesPerBucket { get; set; }

    /// <summary>The stored variation as one value, over the columns above: always a WAV file.</summary>
    [NotMapped]
    public StoredAudio Audio
    {
        get => new(BlobHash, SizeBytes, "WAV", SampleRate, Channels, DurationSeconds, Peaks, PeaksSamplesPerBucket);
        set => (BlobHash, SizeBytes, SampleRate, Channels, DurationSeconds, Peaks, PeaksSamplesPerBucket) =
            (value.BlobHash, value.SizeBytes, value.SampleRate, value.Channels, value.DurationSeconds, value.Peaks, value.PeaksSamplesPerBucket);
    }
    public CandidateStatus Status { get; set; }
    public int? AcceptedStemId { get; set; }
    public DateTime CreatedAt { get; set; }

    public GenerationJob? Job { get; set; }
}
