using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Data;

/// <summary>Start-up: apply the migrations (of the configured provider), switch SQLite to WAL (readers never wait for the worker's writes), seed the roles, make the configured admins.</summary>
public static class DatabaseSetup
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        await MigrateAsync(db, cancellationToken);
        if (db.Database.IsSqlite()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (await roles.RoleExistsAsync(role)) continue;
            // Another process starting on the same database may create it at the same moment: that is fine.
            try { await roles.CreateAsync(new IdentityRole(role)); }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                if (!await roles.RoleExistsAsync(role)) throw;
            }
        }
        await scope.ServiceProvider.GetRequiredService<UserRoles>().GrantConfiguredAdminsAsync();
    }

    /// <summary>
    /// Several studio processes may start on one PostgreSQL database at once: the first to take a
    /// session advisory lock migrates, the others wait and then find nothing to do. (A database that does
    /// not exist yet is created by the migration itself, without the lock.)
    /// </summary>
    private static async Task MigrateAsync(StudioDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql() || !await db.Database.CanConnectAsync(cancellationToken))
        {
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }
        const long migrationLock = 0x5374656d47656e; // "StemGen"
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({migrationLock})", cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({migrationLock})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }
}
