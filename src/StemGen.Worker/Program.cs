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
services.AddHostedService<ModelWarmup>();

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
services.AddHangfire(c => c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings());
services.AddHangfireServer((sp, server) =>
{
    var worker = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
    server.ServerName = worker.Name;
    server.Queues = worker.Queues;
    server.WorkerCount = 1; // one job at a time on this device
    server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
});

builder.Build().Run();

/// <summary>
/// Loads the model the studio serves at start, so the first job does not wait for it and a broken model shows in
/// the log at once. Jobs load another one when the studio switches.
/// </summary>
internal sealed class ModelWarmup(GeneratorHost generator, IStudioGateway studio, ILogger<ModelWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var served = await studio.ServedModelAsync(stoppingToken);
            var model = await generator.GetAsync(studio, served, stoppingToken);
            logger.LogInformation("model {Model} loaded on {Device}", served?.Name ?? "(configured)", model.Device);
        }
        catch (GeneratorUnavailableException e) { logger.LogError("generation unavailable: {Reason}", e.Message); }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or IOException)
        {
            logger.LogWarning("the served model could not be fetched yet ({Reason}); the first job fetches it", e.Message);
        }
    }
}
