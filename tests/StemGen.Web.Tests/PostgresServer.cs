using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using StemGen.Web.Data;

namespace StemGen.Web.Tests;

/// <summary>The test classes that run on PostgreSQL: one private server for all of them.</summary>
[CollectionDefinition(PostgresServer.Collection)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>;

/// <summary>
/// A private PostgreSQL server for the tests, from Debian's binaries (/usr/lib/postgresql/*/bin): its
/// own cluster in a temp folder, on a free loopback port, without durability (fsync off), stopped and
/// deleted when the collection is done. Each studio gets a fresh database from <see cref="NewDatabase"/>.
/// Postgres refuses to run as root, so as root the cluster belongs to the postgres user.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string Collection = "PostgreSQL server";
    private const string Superuser = "postgres";

    private string folder = "";
    private string bin = "";
    private string? runAs;
    private bool started;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        bin = FindBinaries();
        runAs = Environment.UserName == "root" ? Superuser : null;
        folder = Directory.CreateTempSubdirectory("stemgen-postgres-").FullName;
        try
        {
            if (runAs is not null) await RunAsync("chown", [$"{runAs}:{runAs}", folder]);
            var data = Path.Combine(folder, "data");
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], asServerUser: true);
            Port = FreeLoopbackPort();
            var settings = $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories={folder} " +
                           "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", settings, "start"], asServerUser: true);
            started = true;
        }
        catch (Exception e)
        {
            var log = Path.Combine(folder, "server.log");
            var tail = File.Exists(log) ? string.Join("\n", File.ReadLines(log).TakeLast(20)) : "(no server log)";
            await DisposeAsync();
            throw new InvalidOperationException($"could not start the test PostgreSQL server: {e.Message}\nserver log:\n{tail}", e);
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (started)
        {
            started = false;
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "stop"], asServerUser: true);
        }
        try { if (folder.Length > 0) Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database }.ConnectionString;

    /// <summary>Creates an empty database and returns it for a studio (which migrates it at start-up).</summary>
    public TestDatabase NewDatabase()
    {
        var name = "studio_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            command.ExecuteNonQuery();
        }
        return new TestDatabase(DatabaseProvider.Postgres, ConnectionString(name));
    }

    /// <summary>The newest installed major version's bin folder; a clear failure (not a skip) when there is none.</summary>
    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.EnumerateDirectories(root)
                .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1, Bin: Path.Combine(d, "bin")))
                .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Bin, "initdb")) && File.Exists(Path.Combine(d.Bin, "pg_ctl")))
                .OrderByDescending(d => d.Version).Select(d => d.Bin).FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            $"no PostgreSQL server found (looked for initdb and pg_ctl in {root}/*/bin): run `STEMGEN_WITH_POSTGRES=1 scripts/install-deps.sh` " +
            "as root (scripts/test.sh does) to install Debian's postgresql package");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RunAsync(string program, string[] arguments, bool asServerUser = false)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        if (asServerUser && runAs is not null)
        {
            start.FileName = "runuser";
            foreach (var a in (string[])["-u", runAs, "--", program]) start.ArgumentList.Add(a);
        }
        else start.FileName = program;
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} did not finish in 90 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
    }
}
