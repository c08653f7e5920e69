namespace StemGen.Web.Storage;

/// <summary>The result of storing a blob: its SHA-256 name, size, and whether this call created it (false: it was already there).</summary>
public sealed record StoredBlob(string Hash, long Size, bool Created);

/// <summary>
/// Content-addressed storage for audio: a blob's name is the lower-case hex SHA-256 of its bytes, so
/// storing the same file twice keeps one copy. The local folder is the default; an object store can
/// replace it behind this interface.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Copies the stream into the store, hashing as it goes; the blob appears atomically, complete or not at all.
    /// A blob that was already there is marked as just written, so <see cref="DeleteIfIdle"/> leaves it alone
    /// while the caller records its row.
    /// </summary>
    Task<StoredBlob> PutAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens a blob for reading (seekable, for range requests); throws <see cref="FileNotFoundException"/> when absent.</summary>
    Stream OpenRead(string hash);

    bool Exists(string hash);

    /// <summary>A local file path for decoders that need one (null when the store has no local files).</summary>
    string? LocalPath(string hash);

    /// <summary>Removes a blob; no error when it is absent. Only for blobs nothing can be writing (see <see cref="DeleteIfIdle"/>).</summary>
    void Delete(string hash);

    /// <summary>
    /// Removes a blob unless it was written (or put again) after <paramref name="idleSince"/>; true when it
    /// was removed. A put of the same content at the same moment either keeps the blob or writes it anew.
    /// </summary>
    bool DeleteIfIdle(string hash, DateTimeOffset idleSince);

    /// <summary>Every blob's name (for the sweep).</summary>
    IEnumerable<string> List();

    /// <summary>Removes temp files of puts that never finished, older than <paramref name="idleSince"/>; returns how many.</summary>
    int SweepTempFiles(DateTimeOffset idleSince);
}
