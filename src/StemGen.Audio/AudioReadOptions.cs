namespace StemGen.Audio;

/// <summary>
/// Limits and policies for reading. Every limit is checked from the header before any audio is
/// decoded, and again while decoding (a header can lie). The defaults accept any sensible music
/// file and refuse what would exhaust memory or make no sense.
/// </summary>
public sealed record AudioReadOptions
{
    public static AudioReadOptions Default { get; } = new();

    /// <summary>Longest audio accepted (default 2 hours).</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Most channels accepted (default 32: a multitrack WAV from a DAW, not a malformed header).</summary>
    public int MaxChannels { get; init; } = 32;

    /// <summary>Lowest sample rate accepted, in Hz (default 8 kHz).</summary>
    public int MinSampleRate { get; init; } = 8_000;

    /// <summary>Highest sample rate accepted, in Hz (default 384 kHz).</summary>
    public int MaxSampleRate { get; init; } = 384_000;

    /// <summary>Read by content when the extension names another format (default: refuse, the file is likely mislabelled).</summary>
    public bool AllowExtensionMismatch { get; init; }

    /// <summary>Read what is there when a file ends before its header says (default: refuse).</summary>
    public bool AllowTruncated { get; init; }

    /// <summary>Check the MD5 of the decoded samples against a FLAC file's STREAMINFO (default on; catches bit rot).</summary>
    public bool VerifyFlacChecksum { get; init; } = true;

    internal void Validate()
    {
        if (MaxDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxDuration), MaxDuration, "must be positive");
        if (MaxChannels < 1) throw new ArgumentOutOfRangeException(nameof(MaxChannels), MaxChannels, "must be at least 1");
        if (MinSampleRate < 1 || MaxSampleRate < MinSampleRate)
            throw new ArgumentOutOfRangeException(nameof(MinSampleRate), $"sample-rate range {MinSampleRate}..{MaxSampleRate} Hz is empty");
    }

    internal long MaxFrames(int sampleRate) => (long)Math.Min(MaxDuration.TotalSeconds * sampleRate, long.MaxValue / 2);
}
