namespace StemGen.Audio;

/// <summary>
/// Writes a file so that readers see either the old file or the complete new one: the bytes go to
/// a hidden temp file in the same folder (same file system, so the rename is atomic), which is
/// renamed over the destination on commit and deleted on any failure.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private AtomicFile(string destination, string tempPath, FileStream stream)
    {
        Destination = destination;
        TempPath = tempPath;
        Stream = stream;
    }

    public string Destination { get; }
    public string TempPath { get; }
    public FileStream Stream { get; }
    public bool Committed { get; private set; }

    /// <summary>Creates the temp file beside <paramref name="path"/>; the destination is not touched yet.</summary>
    public static AtomicFile Create(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new AudioFormatException(path, AudioErrorReason.IoError, $"cannot write: the folder {directory} does not exist");
        if (Directory.Exists(full))
            throw new AudioFormatException(path, AudioErrorReason.IoError, "cannot write: a folder has that name");
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            return new AtomicFile(full, temp, new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, AudioErrorReason.IoError, $"cannot write in {directory}: {e.Message}", e);
        }
    }

    /// <summary>Flushes to disk and renames over the destination.</summary>
    public void Commit()
    {
        try
        {
            Stream.Flush(flushToDisk: true);
            Stream.Dispose();
            File.Move(TempPath, Destination, overwrite: true);
            Committed = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dispose();
            throw new AudioFormatException(Destination, AudioErrorReason.IoError, $"cannot write: {e.Message}", e);
        }
    }

    /// <summary>Without a commit: removes the temp file; the destination keeps its old content.</summary>
    public void Dispose()
    {
        Stream.Dispose();
        if (!Committed)
        {
            try { File.Delete(TempPath); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
