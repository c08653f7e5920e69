using Microsoft.Extensions.Options;

namespace StemGen.Web.Jobs;

public enum JobStorageKind
{
    /// <summary>hangfire.db in the data folder: the embedded default, one machine.</summary>
    Sqlite,
    /// <summary>The studio's PostgreSQL (ConnectionStrings:Studio): GPU workers on other machines take jobs from it.</summary>
    Postgres,
}

/// <summary>Where jobs wait and who runs them ("Jobs" section). See deploy/README.md for a studio with GPU workers.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    public JobStorageKind Storage { get; set; } = JobStorageKind.Sqlite;

    /// <summary>
    /// Whether the studio's own job server also runs generation (the embedded default); false when GPU workers do.
    /// The studio's server always runs the studio queue (<see cref="QueueNames.Studio"/>): no worker can.
    /// </summary>
    public bool RunInStudio { get; set; } = true;

    public QueueNames Queues { get; set; } = new();

    /// <summary>
    /// Keys in the settings that workers may present (header X-Worker-Key), from before per-worker keys: admins now make one
    /// key per worker on /admin/workers (<see cref="WorkerKeyStore"/>). Kept so existing workers go on while they move over.
    /// </summary>
    public string[] WorkerKeys { get; set; } = [];

    /// <summary>After how long a dead worker's job is taken by another worker.</summary>
    public int WorkerTimeoutSeconds { get; set; } = 120;

    /// <summary>How often idle servers look for new jobs.</summary>
    public double PollIntervalSeconds { get; set; } = 1;

    /// <summary>How often the studio checks its open jobs against Hangfire (the task kernel's watchdog).</summary>
    public double WatchdogIntervalSeconds { get; set; } = 30;

    /// <summary>The queues of the studio's task server (EmbeddedJobServer runs generation on a second server of its own).</summary>
    public string[] StudioServerQueues => [Queues.Studio, "default"];

    /// <summary>
    /// Refuses settings that leave a queue without a consumer: the studio queue always has the studio's server;
    /// the generation queue needs the studio's server or GPU workers, and workers need keys and the PostgreSQL storage.
    /// </summary>
    public sealed class Validator : IValidateOptions<JobsOptions>
    {
        public ValidateOptionsResult Validate(string? name, JobsOptions o)
        {
            var (generation, studio) = (o.Queues.Generation, o.Queues.Studio);
            if (string.IsNullOrWhiteSpace(generation) || string.IsNullOrWhiteSpace(studio))
                return ValidateOptionsResult.Fail("Jobs:Queues:Generation and Jobs:Queues:Studio need names");
            if (generation == studio)
                return ValidateOptionsResult.Fail($"Jobs:Queues:Generation and Jobs:Queues:Studio are both '{studio}': GPU workers would take the studio's tasks, which they cannot run");
            if (o.RunInStudio) return ValidateOptionsResult.Success;
            // On PostgreSQL the workers' keys may all come from /admin/workers (WorkerKeyStore), which the settings cannot see.
            var why = o.Storage == JobStorageKind.Postgres ? null
                : o.WorkerKeys.Length == 0 ? "Jobs:WorkerKeys is empty, so no GPU worker is accepted"
                : "Jobs:Storage is Sqlite, and GPU workers take jobs from PostgreSQL only";
            return why is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(
                $"Jobs:RunInStudio is false but {why}: nothing would run the generation queue '{generation}'. Set Jobs:RunInStudio=true, or give workers a way in (Jobs:Storage=Postgres and Jobs:WorkerKeys)");
        }
    }

    public sealed class QueueNames
    {
        /// <summary>Generation: what a GPU worker (StemGen.Worker) can run, and the studio's own server when <see cref="RunInStudio"/>.</summary>
        public string Generation { get; set; } = "gpu";

        /// <summary>
        /// Everything else (dataset tasks, training runs, evaluations, listening checks, study preparation): they read
        /// the datasets root and write the studio's database and folders, so only the studio's own server runs them.
        /// </summary>
        public string Studio { get; set; } = "cpu";
    }
}
