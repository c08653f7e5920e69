using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using StemGen.Jobs;
using StemGen.Model.Generation;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Jobs;

/// <summary>
/// Long work runs as Hangfire jobs on two queues, by who can run them: generation (GPU workers, or the studio) and
/// the studio queue (everything else: only the studio can). The studio enqueues, shows the dashboard, and runs a
/// server for the studio queue, and for generation too unless GPU workers do it (<see cref="JobsOptions.RunInStudio"/>).
/// Storage and server are this host's own objects, not Hangfire's static defaults, so several studios
/// can live in one process (the tests do).
/// </summary>
public static class JobsSetup
{
    public static IHostApplicationBuilder AddStudioJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>().Bind(builder.Configuration.GetSection(JobsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobsOptions>, JobsOptions.Validator>();
        services.AddSingleton<JobStorage>(CreateStorage);
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, configuration) => configuration
            .UseStemGenSettings()
            .UseStudioJobsOnly() // a job row naming any other type or method fails without running
            .UseLogProvider(new HostLogProvider(sp.GetRequiredService<ILoggerFactory>())));

        services.AddScoped<JobLedger>();
        services.AddScoped<WorkerKeyStore>();
        services.AddScoped<WorkerLeases>();
        services.AddSingleton<CandidateUploadLimit>();
        services.AddSingleton<ProgressSaves>();
        services.AddSingleton<JobCancellations>();
        services.AddSingleton<IStudioGateway, InProcessStudioGateway>();
        services.AddSingleton(new WorkerIdentity("studio"));
        services.AddTransient<GenerationJobRunner>();
        // The generator is created once, lazily, by this factory (tests register their own).
        services.AddSingleton<Func<string?, IStemGenerator>>(StemGeneratorFactory.FromOptions);
        services.AddSingleton<GeneratorHost>();
        services.AddHostedService<EmbeddedJobServer>();
        return builder;
    }

    private static JobStorage CreateStorage(IServiceProvider services)
    {
        var jobs = services.GetRequiredService<IOptions<JobsOptions>>().Value;
        var poll = TimeSpan.FromSeconds(Math.Max(0.1, jobs.PollIntervalSeconds));
        if (jobs.Storage == JobStorageKind.Postgres)
        {
            var connection = services.GetRequiredService<IOptions<StudioDatabaseOptions>>().Value.ConnectionString;
            if (string.IsNullOrWhiteSpace(connection))
                throw new InvalidOperationException($"Jobs:Storage is Postgres but {StudioDatabaseOptions.ConnectionStringSetting} is not set: Hangfire keeps its queues in the studio's PostgreSQL");
            return HangfireStorages.Postgres(connection, TimeSpan.FromSeconds(jobs.WorkerTimeoutSeconds), poll, ownsSchema: true);
        }
        var studio = services.GetRequiredService<IOptions<StudioOptions>>().Value;
        Directory.CreateDirectory(studio.FullDataDirectory);
        // One process only: its single worker never fetches a job twice, so the timeout only brings back
        // a job of a studio that was killed (after a restart).
        return new SQLiteStorage(Path.Combine(studio.FullDataDirectory, "hangfire.db"), new SQLiteStorageOptions
        {
            QueuePollInterval = poll, InvisibilityTimeout = TimeSpan.FromSeconds(jobs.WorkerTimeoutSeconds),
        });
    }

    /// <summary>The Hangfire dashboard at /admin/jobs, for the Admin role only.</summary>
    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        app.UseHangfireDashboard("/admin/jobs", new DashboardOptions
        {
            Authorization = [new AdminOnly()],
            AppPath = "/admin",
            DashboardTitle = "StemGen jobs",
        }, app.Services.GetRequiredService<JobStorage>());
        return app;
    }

    private sealed class AdminOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
    }
}

/// <summary>
/// The studio's own Hangfire servers, one job at a time each: one for the studio queue (admin tasks), and, when
/// <see cref="JobsOptions.RunInStudio"/>, a second for generation, so that admin tasks never wait behind users'
/// generations nor the reverse. (Each user's share of the generation queue is bounded by Quotas:MaxQueuedJobsPerUser.)
/// </summary>
public sealed class EmbeddedJobServer(IServiceProvider services, IOptions<JobsOptions> options, GeneratorHost generator, ILogger<EmbeddedJobServer> logger) : IHostedService, IDisposable
{
    private readonly Lock gate = new();
    private readonly List<BackgroundJobServer> servers = [];
    private Task? stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var jobs = options.Value;
        BackgroundJobServer Start(string name, string[] queues)
        {
            var serverOptions = new BackgroundJobServerOptions { Activator = services.GetRequiredService<JobActivator>() };
            HangfireSetup.Configure(serverOptions, $"studio-{name}-{Environment.MachineName}", queues);
            return new BackgroundJobServer(serverOptions, services.GetRequiredService<JobStorage>());
        }
        lock (gate)
        {
            servers.Add(Start("tasks", jobs.StudioServerQueues));
            if (jobs.RunInStudio) servers.Add(Start("generation", [jobs.Queues.Generation]));
        }
        if (!jobs.RunInStudio) return Task.CompletedTask;
        // Load the served model now, so the page can name the device before the first job.
        var studio = services.GetRequiredService<IStudioGateway>();
        _ = Task.Run(() => ModelWarmup.RunAsync(generator, studio, logger, CancellationToken.None), cancellationToken);
        return Task.CompletedTask;
    }

    // The host may stop twice, at once (a test factory does), and disposes after stopping: one stop, which every call awaits.
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (gate) return stopped ??= StopServersAsync([.. servers], cancellationToken);
    }

    private static async Task StopServersAsync(BackgroundJobServer[] stopping, CancellationToken cancellationToken)
    {
        foreach (var server in stopping) server.SendStop();
        foreach (var server in stopping)
        {
            await server.WaitForShutdownAsync(cancellationToken);
            server.Dispose();
        }
    }

    /// <summary>A host that never stopped (a failed start) still lets the servers go.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (stopped is not null) return;
            stopped = Task.CompletedTask;
            foreach (var server in servers) server.Dispose();
        }
    }
}

/// <summary>
/// Hangfire logs through one process-wide provider. This one forwards to the host's loggers and goes
/// quiet once that host is gone, so a second host in the same process (tests) is not broken by the first.
/// </summary>
internal sealed class HostLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try { return new QuietLog(new AspNetCoreLogProvider(factory).GetLogger(name)); }
        catch (ObjectDisposedException) { return new QuietLog(null); }
    }

    private sealed class QuietLog(Hangfire.Logging.ILog? inner) : Hangfire.Logging.ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try { return inner?.Log(logLevel, messageFunc, exception) ?? false; }
            catch (ObjectDisposedException) { return false; }
        }
    }
}
