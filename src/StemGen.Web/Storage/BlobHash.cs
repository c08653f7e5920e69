namespace StemGen.Web.Storage;

/// <summary>Blob names: exactly 64 lower-case hex digits. Checked before any use so a name can never walk the file system.</summary>
public static class BlobHash
{
    public static bool IsValid(string? hash) =>
        hash is { Length: 64 } && hash.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public static string Require(string hash) =>
        IsValid(hash) ? hash : throw new ArgumentException($"not a blob name (64 lower-case hex digits): '{hash}'", nameof(hash));
}
