using System.Security.Cryptography;

namespace StemGen.Web.Storage;

/// <summary>
/// Blobs as files in a local folder, fanned out by the first two hex digits (ab/abcdef...). A put
/// streams into a temp file in the same folder tree while hashing, then renames it into place, so a
/// crash leaves at most a temp file (swept later), never a partial blob. A blob's last-write time is
/// when it was last put: deletion goes through <see cref="DeleteIfIdle"/>, which renames the file
/// away first and then looks at that time again, so a put of the same content never loses its blob.
/// </summary>
public sealed class LocalFolderBlobStore : IBlobStore
{
    private const string TempPrefix = ".incoming-";
    private const string DoomedPrefix = ".deleting-";
    private readonly string _root;

    public LocalFolderBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    /// <summary>For the race tests: called with "checked" after the idle check and "renamed" after the rename, inside <see cref="DeleteIfIdle"/>.</summary>
    internal Action<string>? DeletePhase { get; set; }

    public string Root => _root;

    public async Task<StoredBlob> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        var temp = Path.Combine(_root, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            long size;
            string hash;
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await output.FlushAsync(cancellationToken);
                output.Flush(flushToDisk: true);
                size = output.Length;
                hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            }

            var destination = PathOf(hash);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            if (Touch(destination))
            {
                File.Delete(temp);
                return new StoredBlob(hash, size, Created: false);
            }
            File.Move(temp, destination, overwrite: true);
            return new StoredBlob(hash, size, Created: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public Stream OpenRead(string hash)
    {
        var path = PathOf(hash);
        if (!File.Exists(path)) throw new FileNotFoundException($"blob {hash} is not in the store", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
    }

    public bool Exists(string hash) => BlobHash.IsValid(hash) && File.Exists(PathOf(hash));

    public string? LocalPath(string hash) => PathOf(hash);

    public void Delete(string hash)
    {
        if (BlobHash.IsValid(hash)) TryDelete(PathOf(hash));
    }

    private string PathOf(string hash)
    {
        BlobHash.Require(hash);
        return Path.Combine(_root, hash[..2], hash);
    }

    public bool DeleteIfIdle(string hash, DateTimeOffset idleSince)
    {
        if (!BlobHash.IsValid(hash)) return false;
        var path = PathOf(hash);
        if (!File.Exists(path) || File.GetLastWriteTimeUtc(path) > idleSince.UtcDateTime) return false;
        DeletePhase?.Invoke("checked");
        var doomed = Path.Combine(_root, DoomedPrefix + hash + "-" + Guid.NewGuid().ToString("N"));
        try { File.Move(path, doomed); }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        DeletePhase?.Invoke("renamed");
        // A put that touched the blob between the check and the rename made it fresh: put it back
        // (unless that put, finding it gone, already wrote it anew).
        if (File.GetLastWriteTimeUtc(doomed) > idleSince.UtcDateTime)
        {
            try { File.Move(doomed, path); return false; }
            catch (IOException) when (File.Exists(path)) { }
        }
        TryDelete(doomed);
        return true;
    }

    public IEnumerable<string> List() =>
        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Where(BlobHash.IsValid)!;

    public int SweepTempFiles(DateTimeOffset idleSince)
    {
        var swept = 0;
        foreach (var temp in Directory.EnumerateFiles(_root, ".*"))
        {
            var name = Path.GetFileName(temp);
            if (!name.StartsWith(TempPrefix) && !name.StartsWith(DoomedPrefix)) continue;
            if (File.GetLastWriteTimeUtc(temp) > idleSince.UtcDateTime) continue;
            TryDelete(temp);
            swept++;
        }
        return swept;
    }

    /// <summary>Marks an existing blob as just written; false when there is none (any more).</summary>
    private static bool Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            return File.Exists(path);
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
