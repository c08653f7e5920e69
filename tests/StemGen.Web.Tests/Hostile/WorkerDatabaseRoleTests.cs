using Hangfire;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StemGen.Jobs;

namespace StemGen.Web.Tests.Hostile;

/// <summary>
/// A compromised GPU box holds the workers' PostgreSQL role (finding 4). deploy/postgres/hangfire-worker-role.sql, run
/// against a real PostgreSQL exactly as the operator runs it, must leave that role able to do a Hangfire worker's work
/// (announce, fetch, move a job's state, count, lock) and nothing more: no studio table, no new job, no rewritten job.
/// </summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
[Collection(PostgresServer.Collection)]
public sealed class WorkerDatabaseRoleTests(PostgresServer postgres) : IAsyncLifetime
{
    private StudioFactory factory = null!;
    private string workerConnection = "";

    public async Task InitializeAsync()
    {
        var database = postgres.NewDatabase();
        factory = new StudioFactory(database: database, settings: new Dictionary<string, string> { ["Jobs:Storage"] = "Postgres" });
        _ = factory.Services.GetRequiredService<JobStorage>(); // the studio has started and made Hangfire's schema

        var role = $"worker_{Guid.NewGuid():N}"[..20];
        var script = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "postgres", "hangfire-worker-role.sql"));
        await using (var owner = new NpgsqlConnection(database.ConnectionString))
        {
            await owner.OpenAsync();
            await using (var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN", owner)) await create.ExecuteNonQueryAsync();
            // psql reads the comments; the driver is given the statements alone.
            var statements = string.Join('\n', script.Split('\n').Where(line => !line.TrimStart().StartsWith("--")));
            await using var grants = new NpgsqlCommand(statements.Replace("stemgen_worker", role), owner);
            await grants.ExecuteNonQueryAsync();
        }
        workerConnection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Pooling = false }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "StemGen.Web.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("the repository root (StemGen.Web.sln) is not above the test binaries");
    }

    private async Task<PostgresException> RefusedAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(workerConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        return refused;
    }

    [Fact]
    public async Task The_worker_database_role_cannot_read_the_studios_tables()
    {
        await RefusedAsync("""SELECT count(*) FROM "AspNetUsers" """);
        await RefusedAsync("""SELECT count(*) FROM "GenerationJobs" """);
        await RefusedAsync("""SELECT count(*) FROM "WorkerKeys" """);
        await RefusedAsync("""UPDATE "Stems" SET "Name" = 'x' """);
    }

    [Fact]
    public async Task The_worker_database_role_cannot_insert_a_job_or_rewrite_what_a_job_runs()
    {
        await RefusedAsync("""INSERT INTO hangfire.job (invocationdata, arguments, createdat) VALUES ('{}', '[]', now())""");
        await RefusedAsync("""UPDATE hangfire.job SET invocationdata = invocationdata""");
        await RefusedAsync("""UPDATE hangfire.job SET arguments = arguments""");
        await RefusedAsync("""CREATE TABLE hangfire.mine (id int)""");
    }

    [Fact]
    public void The_worker_database_role_can_do_a_hangfire_workers_work()
    {
        var queue = "role-test";
        var id = factory.Services.GetRequiredService<IBackgroundJobClient>().Create<GenerationJobRunner>(r => r.RunAsync(424242, null, CancellationToken.None), new EnqueuedState(queue));
        var storage = HangfireStorages.Postgres(workerConnection, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(0.2), ownsSchema: false);
        using var connection = storage.GetConnection();
        connection.AnnounceServer("role-test-server", new ServerContext { Queues = [queue], WorkerCount = 1 });
        connection.Heartbeat("role-test-server");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var fetched = connection.FetchNextJob([queue], timeout.Token);
        Assert.Equal(id, fetched.JobId);
        Assert.Equal(typeof(GenerationJobRunner), connection.GetJobData(id)!.Job.Type);
        using (var start = connection.CreateWriteTransaction())
        {
            start.SetJobState(id, new WorkerAttackTests.ProcessingOn("role-test-server"));
            start.Commit();
        }
        connection.SetJobParameter(id, "RetryCount", "1");
        Assert.Equal("1", connection.GetJobParameter(id, "RetryCount"));
        using (connection.AcquireDistributedLock("role-test-lock", TimeSpan.FromSeconds(5)))
        using (var end = connection.CreateWriteTransaction())
        {
            end.SetJobState(id, new SucceededState(null, 1, 1));
            end.ExpireJob(id, TimeSpan.FromDays(1));
            end.IncrementCounter("stats:succeeded");
            end.Commit();
        }
        fetched.RemoveFromQueue();
        connection.RemoveServer("role-test-server");
        Assert.Equal(SucceededState.StateName, factory.Services.GetRequiredService<JobStorage>().GetConnection().GetStateData(id)?.Name);
    }
}
