using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace StemGen.Jobs;

/// <summary>Hangfire's storage on the studio's PostgreSQL, configured the same way by the studio and by every worker.</summary>
public static class HangfireStorages
{
    /// <summary>
    /// The sliding invisibility timeout keeps a running job hidden from other workers while its worker's
    /// heartbeat goes on, and hands it to another worker <paramref name="workerTimeout"/> after the worker dies.
    /// The studio creates and upgrades Hangfire's schema (<paramref name="ownsSchema"/>); workers only use it,
    /// so their database role needs no rights beyond it.
    /// </summary>
    public static PostgreSqlStorage Postgres(string connectionString, TimeSpan workerTimeout, TimeSpan pollInterval, bool ownsSchema)
    {
        var options = new PostgreSqlStorageOptions
        {
            QueuePollInterval = pollInterval,
            InvisibilityTimeout = workerTimeout,
            UseSlidingInvisibilityTimeout = true,
            PrepareSchemaIfNecessary = ownsSchema,
            AllowUnsafeValues = true, // tests use timeouts of a few seconds
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }
}
