using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Web.Data;

namespace StemGen.Web.Storage;

/// <summary>
/// Blobs are shared by content: the one place that knows every table referring to a blob
/// (<see cref="Columns"/>; a new table with a blob column goes there), and the only code that deletes
/// blobs. A blob goes when no row refers to it and it has not been put for
/// <see cref="StudioOptions.BlobGraceMinutes"/>: an upload that deduplicates onto a blob marks it
/// fresh before it records its row, so deletion never races it (see <see cref="IBlobStore.DeleteIfIdle"/>).
/// </summary>
public sealed class BlobReferences(StudioDbContext db, IBlobStore store, IOptions<StudioOptions> options, TimeProvider clock, ILogger<BlobReferences> logger)
{
    /// <summary>Every column that holds a blob hash.</summary>
    private IEnumerable<IQueryable<string?>> Columns =>
    [
        db.Stems.Select(s => (string?)s.BlobHash),
        db.GenerationCandidates.Select(c => (string?)c.BlobHash),
        db.StudyItems.Select(i => i.BlobHash),
    ];

    private DateTimeOffset IdleSince => clock.GetUtcNow() - TimeSpan.FromMinutes(options.Value.BlobGraceMinutes);

    public async Task<bool> IsReferencedAsync(string hash, CancellationToken cancellationToken = default)
    {
        foreach (var column in Columns)
            if (await column.AnyAsync(h => h == hash, cancellationToken)) return true;
        return false;
    }

    /// <summary>After rows were deleted: removes those of their blobs that nothing refers to and nobody put lately (the sweep takes the rest later).</summary>
    public async Task DeleteUnreferencedAsync(IEnumerable<string> hashes, CancellationToken cancellationToken = default)
    {
        foreach (var hash in hashes.Distinct())
            if (!await IsReferencedAsync(hash, cancellationToken)) store.DeleteIfIdle(hash, IdleSince);
    }

    /// <summary>The sweep: every blob no row refers to and nobody put within the grace period, and stale temp files; returns the blobs removed.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var idleSince = IdleSince; // before reading the references: a blob put after this is kept
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in Columns)
            referenced.UnionWith((await column.Where(h => h != null).Distinct().ToListAsync(cancellationToken))!);
        var removed = store.List().Where(hash => !referenced.Contains(hash)).ToList().Count(hash => store.DeleteIfIdle(hash, idleSince));
        var temps = store.SweepTempFiles(idleSince);
        if (removed + temps > 0) logger.LogInformation("blob sweep: removed {Blobs} unreferenced blobs and {Temps} temp files", removed, temps);
        return removed;
    }
}

/// <summary>Runs the blob sweep and clears stale upload staging files every <see cref="StudioOptions.SweepIntervalMinutes"/>.</summary>
public sealed class BlobSweeper(IServiceScopeFactory scopes, IOptions<StudioOptions> options, TimeProvider clock, ILogger<BlobSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(Math.Max(0.01, options.Value.SweepIntervalMinutes));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(interval, clock, stoppingToken);
                try { await SweepAsync(stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning(e, "the blob sweep failed; it runs again later"); }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BlobReferences>().SweepAsync(cancellationToken);
        SweepStaging(options.Value.StagingDirectory, clock.GetUtcNow() - TimeSpan.FromMinutes(options.Value.BlobGraceMinutes));
    }

    /// <summary>Upload staging files left by a crash (a live upload writes its file continuously, so it is never this old).</summary>
    public static int SweepStaging(string folder, DateTimeOffset idleSince)
    {
        if (!Directory.Exists(folder)) return 0;
        var swept = 0;
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (File.GetLastWriteTimeUtc(file) > idleSince.UtcDateTime) continue;
            try { File.Delete(file); swept++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return swept;
    }
}
