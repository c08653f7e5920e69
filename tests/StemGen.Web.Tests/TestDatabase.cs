using StemGen.Web.Data;

namespace StemGen.Web.Tests;

/// <summary>The database a test studio runs on: SQLite in its data folder, or one fresh database on the test PostgreSQL server.</summary>
public sealed record TestDatabase(DatabaseProvider Provider, string? ConnectionString = null)
{
    public static readonly TestDatabase Sqlite = new(DatabaseProvider.Sqlite);

    public override string ToString() => Provider.ToString();
}
