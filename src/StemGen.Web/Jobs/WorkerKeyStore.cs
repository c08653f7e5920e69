using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Web.Data;

namespace StemGen.Web.Jobs;

/// <summary>
/// Worker keys: admins create one per worker (named after it, shown once, stored hashed) and revoke it; a
/// presented key is looked up by its hash. Keys in the configuration (<see cref="JobsOptions.WorkerKeys"/>)
/// still work, so a studio set up before per-worker keys keeps its workers while they move over.
/// </summary>
public sealed class WorkerKeyStore(StudioDbContext db, IOptions<JobsOptions> options, TimeProvider clock, ILogger<WorkerKeyStore> logger)
{
    /// <summary>The prefix of every key the studio makes: a key is recognisable in a leaked file or log.</summary>
    public const string Prefix = "sgw_";

    /// <summary>Who a presented key belongs to: the lease holder id ("key:12", "config:0") and the worker's name.</summary>
    public sealed record WorkerSignIn(string Holder, string Name);

    public sealed record WorkerKeyView(int Id, string Name, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

    public async Task<IReadOnlyList<WorkerKeyView>> ListAsync(CancellationToken cancellationToken) =>
        await db.WorkerKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenBy(k => k.Name)
            .Select(k => new WorkerKeyView(k.Id, k.Name, k.CreatedAt, k.LastUsedAt, k.RevokedAt)).ToListAsync(cancellationToken);

    /// <summary>Makes a key for the worker <paramref name="name"/>; the key itself is returned here and never again.</summary>
    public async Task<(WorkerKeyView Key, string Secret)> CreateAsync(string adminId, string name, CancellationToken cancellationToken)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > WorkerKey.MaxNameLength || name.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
            throw new StudioValidationException($"a worker's name has 1 to {WorkerKey.MaxNameLength} printable characters");
        if (await db.WorkerKeys.AnyAsync(k => k.Name == name, cancellationToken))
            throw new StudioValidationException($"a key named '{name}' exists (revoked keys keep their names): pick another name, such as '{name}-2'");
        var secret = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var key = new WorkerKey { Name = name, KeyHash = Hash(secret), CreatedById = adminId, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.WorkerKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("worker key {KeyId} '{Name}' created by {AdminId}", key.Id, name, adminId);
        return (new WorkerKeyView(key.Id, key.Name, key.CreatedAt, null, null), secret);
    }

    /// <summary>Revokes a key: its worker is refused from its next request on (the hub too).</summary>
    public async Task RevokeAsync(string adminId, int id, CancellationToken cancellationToken)
    {
        var key = await db.WorkerKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken) ?? throw new KeyNotFoundException();
        if (key.Revoked) return;
        key.RevokedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogWarning("worker key {KeyId} '{Name}' revoked by {AdminId}", key.Id, key.Name, adminId);
    }

    /// <summary>Who presents <paramref name="presented"/>; null for an unknown or revoked key.</summary>
    public async Task<WorkerSignIn?> SignInAsync(string presented, string? claimedName, CancellationToken cancellationToken)
    {
        var given = Encoding.UTF8.GetBytes(presented);
        var configured = options.Value.WorkerKeys;
        for (var i = 0; i < configured.Length; i++)
            // Constant-time comparison: the key is a secret.
            if (configured[i].Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(configured[i]), given))
                return new WorkerSignIn($"config:{i}", claimedName is { Length: > 0 and <= WorkerKey.MaxNameLength } n ? n : $"worker (Jobs:WorkerKeys:{i})");
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        // Looked up by the hash of the key: a timing difference reveals nothing about a stored key.
        var hash = Hash(presented);
        var key = await db.WorkerKeys.FirstOrDefaultAsync(k => k.KeyHash == hash, cancellationToken);
        if (key is null || key.Revoked) return null;
        var now = clock.GetUtcNow().UtcDateTime;
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
            await db.WorkerKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken);
        return new WorkerSignIn($"key:{key.Id}", key.Name);
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
