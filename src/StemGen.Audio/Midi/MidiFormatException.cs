namespace StemGen.Audio.Midi;

/// <summary>
/// A MIDI file that breaks the Standard MIDI File format. The message names the file, the byte
/// offset and the problem: "song.mid: track 2 at byte 1834: chunk length 99999 runs past the end of the file".
/// </summary>
public sealed class MidiFormatException : Exception
{
    public MidiFormatException(string path, long? offset, string problem, Exception? innerException = null)
        : base($"{(Path.GetFileName(path) is { Length: > 0 } name ? name : path)}: {(offset is { } o ? $"at byte {o}: " : "")}{problem}", innerException)
    {
        FilePath = path;
        Offset = offset;
        Problem = problem;
    }

    public string FilePath { get; }

    /// <summary>Byte offset of the problem, when it has one.</summary>
    public long? Offset { get; }

    public string Problem { get; }
}
