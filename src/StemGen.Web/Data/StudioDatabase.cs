using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace StemGen.Web.Data;

public enum DatabaseProvider
{
    /// <summary>A file, studio.db, in the data folder (the default: nothing to set up).</summary>
    Sqlite,
    /// <summary>A PostgreSQL database named by the connection string ConnectionStrings:Studio.</summary>
    Postgres,
}

/// <summary>Which database the studio uses: <c>Studio:Database</c> and <c>ConnectionStrings:Studio</c>.</summary>
public sealed class StudioDatabaseOptions
{
    public const string ProviderSetting = "Studio:Database";
    public const string ConnectionStringSetting = "ConnectionStrings:Studio";

    /// <summary>"Sqlite" (default) or "Postgres", as configured (checked by <see cref="Validator"/>).</summary>
    public string Database { get; set; } = nameof(DatabaseProvider.Sqlite);

    /// <summary>The PostgreSQL connection string; SQLite uses the data folder instead.</summary>
    public string? ConnectionString { get; set; }

    public DatabaseProvider Provider => TryParse(Database)
        ?? throw new InvalidOperationException($"{ProviderSetting} is '{Database}'; set it to Sqlite or Postgres");

    private static DatabaseProvider? TryParse(string? value) =>
        Enum.GetValues<DatabaseProvider>().Cast<DatabaseProvider?>()
            .FirstOrDefault(p => string.Equals(p.ToString(), value?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Checked at start-up, so a wrong setting stops the studio with a message that names the setting to fix.</summary>
    public sealed class Validator : IValidateOptions<StudioDatabaseOptions>
    {
        public ValidateOptionsResult Validate(string? name, StudioDatabaseOptions options)
        {
            var provider = TryParse(options.Database);
            if (provider is null)
                return ValidateOptionsResult.Fail($"{ProviderSetting} is '{options.Database}'; set it to Sqlite (the default) or Postgres");
            var connection = options.ConnectionString;
            if (provider == DatabaseProvider.Sqlite && !string.IsNullOrWhiteSpace(connection))
                return ValidateOptionsResult.Fail(
                    $"{ConnectionStringSetting} is set but {ProviderSetting} is Sqlite (the default), which keeps studio.db in the data folder " +
                    $"and ignores it: set {ProviderSetting}=Postgres to use it, or remove it");
            if (provider == DatabaseProvider.Postgres)
            {
                if (string.IsNullOrWhiteSpace(connection))
                    return ValidateOptionsResult.Fail(
                        $"{ProviderSetting} is Postgres but there is no connection string: set {ConnectionStringSetting} " +
                        "(environment ConnectionStrings__Studio=\"Host=...;Database=stemgen;Username=...;Password=...\")");
                try { _ = new NpgsqlConnectionStringBuilder(connection); }
                catch (ArgumentException e)
                {
                    return ValidateOptionsResult.Fail($"{ConnectionStringSetting} is not a valid PostgreSQL connection string: {e.Message}");
                }
            }
            return ValidateOptionsResult.Success;
        }
    }
}

public static class StudioDatabaseExtensions
{
    /// <summary>
    /// Registers <see cref="StudioDbContext"/> on the configured provider: SQLite (studio.db in the data
    /// folder) or PostgreSQL (ConnectionStrings:Studio). The options are read when the first context is
    /// made, so settings applied after this call (tests, command line) count; they are validated at start-up.
    /// </summary>
    public static IHostApplicationBuilder AddStudioDatabase(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StudioDatabaseOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.Database = configuration[StudioDatabaseOptions.ProviderSetting] ?? options.Database;
                options.ConnectionString = configuration.GetConnectionString("Studio");
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StudioDatabaseOptions>, StudioDatabaseOptions.Validator>();

        services.AddDbContext<SqliteStudioDbContext>((sp, options) =>
        {
            var studio = sp.GetRequiredService<IOptions<StudioOptions>>().Value;
            Directory.CreateDirectory(studio.FullDataDirectory);
            options.UseSqlite($"Data Source={studio.DatabasePath}");
        });
        services.AddDbContext<PostgresStudioDbContext>((sp, options) =>
            options.UseNpgsql(sp.GetRequiredService<IOptions<StudioDatabaseOptions>>().Value.ConnectionString));
        services.AddScoped<StudioDbContext>(sp => sp.GetRequiredService<IOptions<StudioDatabaseOptions>>().Value.Provider switch
        {
            DatabaseProvider.Postgres => sp.GetRequiredService<PostgresStudioDbContext>(),
            _ => sp.GetRequiredService<SqliteStudioDbContext>(),
        });
        return builder;
    }
}
