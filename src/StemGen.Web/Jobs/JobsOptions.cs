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

    /// <summary>Whether the studio process runs a Hangfire server itself (the embedded default); false when GPU workers do the work.</summary>
    public bool RunInStudio { get; set; } = true;

    public QueueNames Queues { get; set; } = new();

    /// <summary>Keys that workers present (header X-Worker-Key); none: no remote worker is accepted.</summary>
    public string[] WorkerKeys { get; set; } = [];

    /// <summary>After how long a dead worker's job is taken by another worker.</summary>
    public int WorkerTimeoutSeconds { get; set; } = 120;

    /// <summary>How often idle servers look for new jobs.</summary>
    public double PollIntervalSeconds { get; set; } = 1;

    /// <summary>How often the studio checks its open jobs against Hangfire (the task kernel's watchdog).</summary>
    public double WatchdogIntervalSeconds { get; set; } = 30;

    /// <summary>Queues by who can run them.</summary>
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
