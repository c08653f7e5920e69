using StemGen.Audio;

namespace StemGen.Data.Slakh;

/// <summary>How to import a Slakh-format folder.</summary>
public sealed record ImportOptions
{
    /// <summary>The codec's rate: stems are resampled to it (EnCodec 32 kHz by default).</summary>
    public int SampleRate { get; init; } = 32000;

    /// <summary>Songs are chunked into segments of this length (paper section 3: 1 minute).</summary>
    public double SegmentSeconds { get; init; } = 60;

    /// <summary>A final segment shorter than this is dropped: it cannot hold one training crop (20 s).</summary>
    public double MinSegmentSeconds { get; init; } = 20;

    /// <summary>Segment files: FLAC 24-bit (default, about half the size) or float WAV (exact, <see cref="AudioWriteFormat.WavFloat"/>).</summary>
    public AudioWriteFormat Format { get; init; } = AudioWriteFormat.Flac24;

    /// <summary>Tracks imported at once (decoding and resampling are CPU bound).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Split for tracks that are not inside a train/validation/test/omitted folder (BabySlakh has none).</summary>
    public string DefaultSplit { get; init; } = "train";

    /// <summary>Reuse tracks a previous import with the same settings already wrote, when their source files have not changed.</summary>
    public bool Resume { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(SampleRate, 8000, nameof(SampleRate));
        if (!(SegmentSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(SegmentSeconds), SegmentSeconds, "must be positive");
        if (!(MinSegmentSeconds >= 0) || MinSegmentSeconds > SegmentSeconds)
            throw new ArgumentOutOfRangeException(nameof(MinSegmentSeconds), MinSegmentSeconds, "must be between 0 and the segment length");
        if (Format != AudioWriteFormat.Flac24 && Format != AudioWriteFormat.WavFloat && Format != AudioWriteFormat.Flac16 && Format != AudioWriteFormat.Wav16)
            throw new ArgumentOutOfRangeException(nameof(Format), Format, "segments are written as FLAC or WAV");
        ArgumentOutOfRangeException.ThrowIfLessThan(Jobs, 1, nameof(Jobs));
        ArgumentException.ThrowIfNullOrWhiteSpace(DefaultSplit, nameof(DefaultSplit));
    }

    internal string FormatName => Format == AudioWriteFormat.WavFloat ? "wavf"
        : Format == AudioWriteFormat.Wav16 ? "wav16"
        : Format == AudioWriteFormat.Flac16 ? "flac16" : "flac24";

    internal string Extension => Format.Container == AudioContainer.Wav ? ".wav" : ".flac";
}

/// <summary>Import progress: reported after each track.</summary>
/// <param name="TracksDone">Tracks finished (imported, reused or skipped).</param>
/// <param name="TracksTotal">Tracks found.</param>
/// <param name="Track">The track just finished ("train/Track00001").</param>
/// <param name="Hours">Song hours imported so far.</param>
/// <param name="TracksSkipped">Tracks skipped so far.</param>
public sealed record ImportProgress(int TracksDone, int TracksTotal, string Track, double Hours, int TracksSkipped);
