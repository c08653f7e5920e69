using System.Security.Cryptography;

namespace StemGen.Web.Storage;

/// <summary>
/// Blobs as files in a local folder, fanned out by the first two hex digits (ab/abcdef...). A put
/// streams into a temp file in the same folder tree while hashing, then renames it into place, so a
/// crash leaves at most a temp file (swept at start-up), never a partial blob.
/// </summary>
public sealed class LocalFolderBlobStore : IBlobStore
{
    private const string TempPrefix = ".incoming-";
    private readonly string _root;

    public LocalFolderBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
        SweepTempFiles();
    }

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
            if (File.Exists(destination))
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

    private void SweepTempFiles()
    {
        foreach (var temp in Directory.EnumerateFiles(_root, TempPrefix + "*"))
            TryDelete(temp);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
