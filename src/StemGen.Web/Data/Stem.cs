using System.ComponentModel.DataAnnotations.Schema;
using StemGen.Data;
using StemGen.Web.Storage;

namespace StemGen.Web.Data;

/// <summary>One audio track of a project; the audio is a blob in the content-addressed store.</summary>
public sealed class Stem
{
    public const int MaxNameLength = 200;

    public int Id { get; set; }
    public int ProjectId { get; set; }
    public required string Name { get; set; }
    public InstrumentCategory Category { get; set; }
    /// <summary>SHA-256 of the stored file (lower-case hex), its name in the blob store.</summary>
    public string BlobHash { get; set; } = "";
    /// <summary>"WAV", "FLAC", "OGG", "MP3": the stored file's container, for downloads.</summary>
    public string Format { get; set; } = "";
    public long SizeBytes { get; set; }
    public double DurationSeconds { get; set; }
    public int SampleRate { get; set; }
    public int Channels { get; set; }
    /// <summary>Waveform overview: min/max pairs (signed bytes) per bucket of <see cref="PeaksSamplesPerBucket"/> frames.</summary>
    public byte[] Peaks { get; set; } = [];
    public int PeaksSamplesPerBucket { get; set; }

    /// <summary>The stored file as one value, over the columns above (not a column of its own).</summary>
    [NotMapped]
    public StoredAudio Audio
    {
        get => new(BlobHash, SizeBytes, Format, SampleRate, Channels, DurationSeconds, Peaks, PeaksSamplesPerBucket);
        set => (BlobHash, SizeBytes, Format, SampleRate, Channels, DurationSeconds, Peaks, PeaksSamplesPerBucket) =
            (value.BlobHash, value.SizeBytes, value.Format, value.SampleRate, value.Channels, value.DurationSeconds, value.Peaks, value.PeaksSamplesPerBucket);
    }
    /// <summary>The generation job whose candidate became this stem (null for uploads).</summary>
    public int? SourceJobId { get; set; }
    public DateTime CreatedAt { get; set; }

    public Project? Project { get; set; }
}
