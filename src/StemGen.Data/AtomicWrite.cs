using System.Text;

namespace StemGen.Data;

/// <summary>
/// Files that readers see either whole or not at all: written to a hidden temp file in the same
/// folder, flushed, then renamed over the destination. A crash leaves at most a ".*.tmp" file,
/// which nothing reads.
/// </summary>
internal static class AtomicWrite
{
    public static void Text(string path, string text) => Bytes(path, stream =>
    {
        var bytes = new UTF8Encoding(false).GetBytes(text);
        stream.Write(bytes);
    });

    public static void Bytes(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Whether a name is one of our temp files (to skip when listing folders).</summary>
    public static bool IsTemp(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal);
    }
}
