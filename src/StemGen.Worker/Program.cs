using Hangfire;
using Microsoft.Extensions.Options;
using StemGen.Jobs;
using StemGen.Worker;

// A GPU worker: takes generation jobs from the studio's PostgreSQL queues (Hangfire), one at a time on
// its device, loads the model once, and talks to the studio only over HTTP and SignalR with its key.
var builder = Host.CreateApplicationBuilder(args);
var services = builder.Services;
var configuration = builder.Configuration;

services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
// Worker:Device chooses the device; the rest of the model settings are the studio's "Generation" section.
services.AddOptions<GenerationOptions>().Bind(configuration.GetSection(GenerationOptions.Section))
    .PostConfigure<IOptions<WorkerOptions>>((generation, worker) => generation.Device = worker.Value.Device);

services.AddHttpClient<IStudioGateway, RemoteStudioGateway>((sp, http) =>
{
    var worker = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
    http.BaseAddress = new Uri(worker.StudioUrl.TrimEnd('/') + "/");
    http.DefaultRequestHeaders.Add(WorkerHeaders.Key, worker.Key);
    http.DefaultRequestHeaders.Add(WorkerHeaders.Name, worker.Name);
    http.Timeout = TimeSpan.FromMinutes(5); // candidates of long stems are large uploads
});
services.AddSingleton<StudioHubConnection>();
services.AddHostedService(sp => sp.GetRequiredService<StudioHubConnection>());

services.AddSingleton(sp => new WorkerIdentity(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.Name));
services.AddSingleton<Func<string?, StemGen.Model.Generation.IStemGenerator>>(StemGeneratorFactory.FromOptions);
services.AddSingleton<GeneratorHost>();
services.AddTransient<GenerationJobRunner>();
services.AddHostedService<WarmUpAtStart>();

// The queues live in the studio's PostgreSQL. Jobs:WorkerTimeoutSeconds and Jobs:PollIntervalSeconds are
// the studio's settings too: the fetching side applies the timeout, so every machine should agree.
services.AddSingleton<JobStorage>(_ =>
{
    var connection = configuration.GetConnectionString("Hangfire");
    if (string.IsNullOrWhiteSpace(connection))
        throw new InvalidOperationException("set ConnectionStrings:Hangfire to the studio's PostgreSQL (environment ConnectionStrings__Hangfire=\"Host=...;Database=...;Username=...;Password=...\")");
    return HangfireStorages.Postgres(connection,
        TimeSpan.FromSeconds(configuration.GetValue("Jobs:WorkerTimeoutSeconds", 120)),
        TimeSpan.FromSeconds(Math.Max(0.1, configuration.GetValue("Jobs:PollIntervalSeconds", 1.0))), ownsSchema: false);
});
services.AddHangfire(c => c.UseStemGenSettings());
services.AddHangfireServer((sp, server) =>
{
    var worker = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
    HangfireSetup.Configure(server, worker.Name, worker.Queues);
});

builder.Build().Run();

/// <summary>The worker loads the served model at start (<see cref="ModelWarmup"/>).</summary>
internal sealed class WarmUpAtStart(GeneratorHost generator, IStudioGateway studio, ILogger<WarmUpAtStart> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => ModelWarmup.RunAsync(generator, studio, logger, stoppingToken);
}
