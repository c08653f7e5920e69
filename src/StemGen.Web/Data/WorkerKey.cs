namespace StemGen.Web.Data;

/// <summary>
/// A GPU worker's key, made by an admin on /admin/workers: named after the worker, shown once, stored as its
/// SHA-256 (the key is 256 random bits, so a plain hash is as strong as a slow one). A revoked key is kept for the
/// record and refused at once.
/// </summary>
public sealed class WorkerKey
{
    public const int MaxNameLength = 100;

    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the key, lower-case hex.</summary>
    public required string KeyHash { get; set; }
    public required string CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }

    public bool Revoked => RevokedAt is not null;
}
