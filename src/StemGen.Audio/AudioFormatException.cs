namespace StemGen.Audio;

/// <summary>Why an audio file was refused; lets callers choose a response without parsing messages.</summary>
public enum AudioErrorReason
{
    /// <summary>The file does not exist (or is not a file).</summary>
    NotFound,
    /// <summary>Zero bytes, or a valid header with no audio frames.</summary>
    Empty,
    /// <summary>The file ends before the audio its header promises.</summary>
    Truncated,
    /// <summary>The bytes break the format (bad magic, inconsistent header, undecodable data, checksum mismatch).</summary>
    Corrupt,
    /// <summary>The extension names one format and the content is another.</summary>
    WrongExtension,
    /// <summary>A recognised but unsupported format or encoding, or an unrecognised file.</summary>
    Unsupported,
    /// <summary>Longer than the configured maximum duration.</summary>
    TooLong,
    /// <summary>More channels than the configured maximum (or a channel policy that cannot apply).</summary>
    TooManyChannels,
    /// <summary>A sample rate outside the configured range.</summary>
    BadSampleRate,
    /// <summary>NaN or infinite samples.</summary>
    NonFinite,
    /// <summary>Reading or writing the file failed (permissions, disk full, ...).</summary>
    IoError,
}

/// <summary>
/// An audio file that cannot be read or written as asked. The message starts with the file name and
/// says what is wrong and, where there is one, what to do: "song.flac: not a FLAC stream (bad magic)".
/// </summary>
public sealed class AudioFormatException : Exception
{
    public AudioFormatException(string path, AudioErrorReason reason, string problem, Exception? innerException = null)
        : base($"{DisplayName(path)}: {problem}", innerException)
    {
        FilePath = path;
        Reason = reason;
        Problem = problem;
    }

    private static string DisplayName(string path) => Path.GetFileName(path) is { Length: > 0 } name ? name : path;

    /// <summary>The file as the caller named it (or a stream's display name).</summary>
    public string FilePath { get; }

    public AudioErrorReason Reason { get; }

    /// <summary>The problem alone, without the file name.</summary>
    public string Problem { get; }
}
