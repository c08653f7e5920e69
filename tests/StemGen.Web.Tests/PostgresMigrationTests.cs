using Microsoft.EntityFrameworkCore;
using Npgsql;
using StemGen.Web.Data;

namespace StemGen.Web.Tests;

/// <summary>The PostgreSQL migrations build exactly what the model would (EnsureCreated), on the real server.</summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
[Collection(PostgresServer.Collection)]
public sealed class PostgresMigrationTests(PostgresServer server)
{
    private static PostgresStudioDbContext Context(TestDatabase database) =>
        new(new DbContextOptionsBuilder<PostgresStudioDbContext>().UseNpgsql(database.ConnectionString).Options);

    [Fact]
    public async Task Migrated_schema_equals_the_model()
    {
        var migrated = server.NewDatabase();
        var created = server.NewDatabase();
        await using (var db = Context(migrated))
        {
            await db.Database.MigrateAsync();
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        }
        await using (var db = Context(created))
        {
            // EnsureCreated refuses a database that exists but has no tables only on some providers; drop it first to be sure.
            await db.Database.EnsureDeletedAsync();
            Assert.True(await db.Database.EnsureCreatedAsync());
        }

        var expected = await DescribeAsync(created);
        var actual = await DescribeAsync(migrated);
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"the model has, the migrations lack:\n{string.Join("\n", missing)}\nthe migrations have, the model lacks:\n{string.Join("\n", extra)}");
        Assert.Contains(expected, l => l.StartsWith("column GenerationCandidates.Peaks bytea"));
    }

    /// <summary>One line per column, index and constraint of the public schema (without EF's history table), sorted.</summary>
    private static async Task<List<string>> DescribeAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        async Task Add(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                lines.Add(string.Join(" ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        await Add("""
            SELECT 'column ' || table_name || '.' || column_name, data_type, is_nullable, character_maximum_length, column_default, is_identity, identity_generation
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__EFMigrationsHistory'
            """);
        await Add("SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '__EFMigrationsHistory'");
        await Add("""
            SELECT 'constraint ' || conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '"__EFMigrationsHistory"'
            """);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
