using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;

namespace StemGen.Web.Tests;

/// <summary>
/// The SQLite migrations against the model and against the databases that already exist: build one
/// database with the migrations and one with EnsureCreated (straight from the model), and compare
/// every table, column (type, nullability, default, key position), index (columns, uniqueness)
/// and foreign key (columns, target, on-delete) with each other and with the fixture database made
/// by the hand-written migration the generated one replaced. EF's snapshot check covers both providers.
/// </summary>
public sealed class MigrationSchemaTests
{
    private static SqliteStudioDbContext Context(string path) => new(new DbContextOptionsBuilder<SqliteStudioDbContext>()
        .UseSqlite($"Data Source={path};Pooling=False")
        .Options);

    public static string FixtureFolder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "db-2026-12-03");

    [Fact]
    public void Migrated_schema_equals_the_model()
    {
        var folder = Directory.CreateTempSubdirectory("stemgen-schema-").FullName;
        try
        {
            var migrated = Path.Combine(folder, "migrated.db");
            var created = Path.Combine(folder, "created.db");
            using (var db = Context(migrated))
            {
                db.Database.Migrate();
                Assert.Empty(db.Database.GetPendingMigrations());
                Assert.Equal(db.Database.GetMigrations(), db.Database.GetAppliedMigrations());
            }
            using (var db = Context(created)) Assert.True(db.Database.EnsureCreated());

            AssertSameSchema(Describe(created), "the model", Describe(migrated), "the migrations");

            // And the model's own table list matches (nothing is in the database that the model does not know).
            using var model = Context(created);
            var tables = model.Model.GetRelationalModel().Tables.Select(t => t.Name).Order().ToList();
            Assert.Equal(tables, Describe(created).Where(l => l.StartsWith("table ")).Select(l => l["table ".Length..]).Order().ToList());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_database_made_before_generated_migrations_migrates_to_the_same_schema_as_a_new_one()
    {
        var folder = Directory.CreateTempSubdirectory("stemgen-schema-").FullName;
        try
        {
            var fixture = Path.Combine(folder, "fixture.db");
            File.Copy(Path.Combine(FixtureFolder, "studio.db"), fixture);
            var migrated = Path.Combine(folder, "migrated.db");
            using (var db = Context(migrated)) db.Database.Migrate();

            // The fixture already has the initial schema (the hand-written migration made it): only later migrations run.
            using (var old = Context(fixture))
            {
                Assert.Equal(["20261122050000_InitialSchema"], old.Database.GetAppliedMigrations());
                Assert.Equal(old.Database.GetMigrations().Skip(1), old.Database.GetPendingMigrations());
                old.Database.Migrate();
                Assert.Empty(old.Database.GetPendingMigrations());
            }
            AssertSameSchema(Describe(migrated), "a fresh migrated database", Describe(fixture), "the migrated 2026-12-03 fixture");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Neither_provider_has_model_changes_missing_from_its_migrations()
    {
        // Comparing the model with the migrations' snapshot needs no database: the connections are never opened.
        using var sqlite = new SqliteStudioDbContextDesignFactory().CreateDbContext([]);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "the model changed: add a migration for both providers (migrations/README.md)");
        using var postgres = new PostgresStudioDbContextDesignFactory().CreateDbContext([]);
        Assert.False(postgres.Database.HasPendingModelChanges(), "the model changed: add a migration for both providers (migrations/README.md)");
        // Each provider sees its own migrations only, and both have the same ones (by name).
        static IEnumerable<string> Names(IEnumerable<string> ids) => ids.Select(id => id[(id.IndexOf('_') + 1)..]);
        Assert.Equal(Names(sqlite.Database.GetMigrations()), Names(postgres.Database.GetMigrations()));
        Assert.Equal("20261122050000_InitialSchema", sqlite.Database.GetMigrations().First());
        Assert.Empty(sqlite.Database.GetMigrations().Intersect(postgres.Database.GetMigrations()));
    }

    private static void AssertSameSchema(List<string> expected, string expectedName, List<string> actual, string actualName)
    {
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{expectedName} has, {actualName} lacks:\n{string.Join("\n", missing)}\n{actualName} has, {expectedName} lacks:\n{string.Join("\n", extra)}");
        Assert.Equal(expected, actual);
    }

    /// <summary>One line per table, column, index and foreign key, sorted.</summary>
    private static List<string> Describe(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var lines = new List<string>();
        var tables = Query(connection, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('__EFMigrationsHistory', '__EFMigrationsLock')")
            .Select(r => r[0]).ToList();
        foreach (var table in tables)
        {
            lines.Add($"table {table}");
            foreach (var c in Query(connection, $"PRAGMA table_info(\"{table}\")"))
                lines.Add($"column {table}.{c[1]} type={c[2]} notnull={c[3]} default={c[4]} pk={c[5]}");
            foreach (var i in Query(connection, $"PRAGMA index_list(\"{table}\")").Where(i => !i[1].StartsWith("sqlite_autoindex")))
            {
                var columns = string.Join(",", Query(connection, $"PRAGMA index_info(\"{i[1]}\")").Select(c => c[2]));
                lines.Add($"index {table}.{i[1]} ({columns}) unique={i[2]}");
            }
            foreach (var f in Query(connection, $"PRAGMA foreign_key_list(\"{table}\")"))
                lines.Add($"fk {table}.{f[3]} -> {f[2]}.{f[4]} on_delete={f[6]}");
            var autoincrement = Query(connection, $"SELECT sql FROM sqlite_master WHERE type='table' AND name='{table}'")[0][0].Contains("AUTOINCREMENT");
            lines.Add($"autoincrement {table}={autoincrement}");
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static List<string[]> Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToArray());
        return rows;
    }
}
