using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace StemGen.Web.Data;

/// <summary>The studio database on SQLite; its migrations are in migrations/Sqlite.</summary>
public sealed class SqliteStudioDbContext(DbContextOptions<SqliteStudioDbContext> options) : StudioDbContext(options);

/// <summary>The studio database on PostgreSQL; its migrations are in migrations/Postgres.</summary>
public sealed class PostgresStudioDbContext(DbContextOptions<PostgresStudioDbContext> options) : StudioDbContext(options);

/// <summary>
/// What dotnet ef uses to build the model when it adds a migration (the studio does not start). Adding
/// a migration needs no database, so the connection strings here are placeholders.
/// </summary>
public sealed class SqliteStudioDbContextDesignFactory : IDesignTimeDbContextFactory<SqliteStudioDbContext>
{
    public SqliteStudioDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteStudioDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <inheritdoc cref="SqliteStudioDbContextDesignFactory"/>
public sealed class PostgresStudioDbContextDesignFactory : IDesignTimeDbContextFactory<PostgresStudioDbContext>
{
    public PostgresStudioDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresStudioDbContext>().UseNpgsql("Host=localhost;Database=stemgen_design_time").Options);
}
