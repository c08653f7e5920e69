namespace StemGen.Audio;

/// <summary>Encoder settings; null keeps libsndfile's default.</summary>
public sealed record AudioWriteOptions
{
    public static AudioWriteOptions Default { get; } = new();

    /// <summary>FLAC: 0 (fastest) .. 1 (smallest), i.e. FLAC levels 0..8. Lossless either way.</summary>
    public double? CompressionLevel { get; init; }

    /// <summary>Ogg Vorbis, Opus, MP3: 0 (smallest) .. 1 (best quality).</summary>
    public double? Quality { get; init; }
}

/// <summary>What a write produced. Clipping is counted, never hidden: PCM and lossy encoders cannot hold |x| > 1.</summary>
/// <param name="Path">The destination.</param>
/// <param name="Frames">Frames written.</param>
/// <param name="ClippedSamples">Samples beyond full scale that were clipped to it (0 for float files, which keep them).</param>
/// <param name="Peak">The largest absolute sample given, before clipping.</param>
public sealed record AudioWriteResult(string Path, long Frames, long ClippedSamples, float Peak)
{
    public bool Clipped => ClippedSamples > 0;
}
