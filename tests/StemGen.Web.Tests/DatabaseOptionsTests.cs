using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using StemGen.Web.Data;

namespace StemGen.Web.Tests;

/// <summary>A wrong database setting stops the studio at start-up with a message that names the setting to fix.</summary>
public sealed class DatabaseOptionsTests
{
    internal static string StartFailure(params (string Key, string Value)[] settings)
    {
        using var studio = new StudioFactory();
        using var factory = studio.WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });
        var error = Assert.ThrowsAny<OptionsValidationException>(() => factory.CreateClient());
        return error.Message;
    }

    [Fact]
    public void Postgres_without_a_connection_string_says_which_setting_to_set()
    {
        var message = StartFailure(("Studio:Database", "Postgres"));
        Assert.Contains("Studio:Database is Postgres but there is no connection string: set ConnectionStrings:Studio", message);
    }

    [Fact]
    public void An_unknown_provider_is_refused()
    {
        Assert.Contains("Studio:Database is 'MySql'; set it to Sqlite (the default) or Postgres", StartFailure(("Studio:Database", "MySql")));
    }

    [Fact]
    public void A_connection_string_without_Postgres_is_not_silently_ignored()
    {
        var message = StartFailure(("ConnectionStrings:Studio", "Host=127.0.0.1;Database=stemgen"));
        Assert.Contains("ConnectionStrings:Studio is set but Studio:Database is Sqlite", message);
    }

    [Fact]
    public void A_malformed_Postgres_connection_string_is_refused()
    {
        var message = StartFailure(("Studio:Database", "postgres"), ("ConnectionStrings:Studio", "Hots=127.0.0.1"));
        Assert.Contains("ConnectionStrings:Studio is not a valid PostgreSQL connection string", message);
    }

    [Theory]
    [InlineData(null, DatabaseProvider.Sqlite)]
    [InlineData("sqlite", DatabaseProvider.Sqlite)]
    [InlineData(" Postgres ", DatabaseProvider.Postgres)]
    public void Provider_names_are_read_case_insensitively(string? setting, DatabaseProvider expected)
    {
        var options = new StudioDatabaseOptions();
        if (setting is not null) options.Database = setting;
        Assert.Equal(expected, options.Provider);
    }
}
