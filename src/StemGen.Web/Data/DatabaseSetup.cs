using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Data;

/// <summary>Start-up: apply the migrations (of the configured provider), switch SQLite to WAL (readers never wait for the worker's writes), seed the roles.</summary>
public static class DatabaseSetup
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
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
    }
}
