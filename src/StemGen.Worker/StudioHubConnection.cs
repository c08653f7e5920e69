using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using StemGen.Jobs;

namespace StemGen.Worker;

/// <summary>
/// The worker's SignalR connection to the studio's worker hub: opened at start, reconnected with
/// backoff when it drops (a report made while it is down is skipped: progress is best effort).
/// </summary>
public sealed class StudioHubConnection : IHostedService, IAsyncDisposable
{
    private readonly HubConnection connection;
    private readonly ILogger<StudioHubConnection> logger;
    private readonly CancellationTokenSource stopping = new();
    private Task? connecting;

    public StudioHubConnection(IOptions<WorkerOptions> options, ILogger<StudioHubConnection> logger)
    {
        this.logger = logger;
        var worker = options.Value;
        connection = new HubConnectionBuilder()
            .WithUrl(new Uri(new Uri(worker.StudioUrl), "hubs/worker"), o =>
            {
                o.Headers[WorkerHeaders.Key] = worker.Key;
                o.Headers[WorkerHeaders.Name] = worker.Name;
            })
            .WithAutomaticReconnect(new Backoff())
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
            .Build();
        connection.Closed += error =>
        {
            // Automatic reconnection gave up: start over (unless the worker is stopping).
            if (!stopping.IsCancellationRequested) connecting = ConnectAsync(stopping.Token);
            return Task.CompletedTask;
        };
    }

    public async Task<bool> ReportProgressAsync(JobProgressReport report, CancellationToken cancellationToken)
    {
        if (connection.State != HubConnectionState.Connected) return false;
        return await connection.InvokeAsync<bool>("ReportProgress", report, cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        connecting = ConnectAsync(stopping.Token);
        return Task.CompletedTask;
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await connection.StartAsync(cancellationToken);
                logger.LogInformation("connected to the studio's worker hub");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var delay = Backoff.Delay(attempt);
                logger.LogWarning("cannot reach the studio's worker hub ({Message}); next try in {Seconds:0.#} s", e.Message, delay.TotalSeconds);
                try { await Task.Delay(delay, cancellationToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (connecting is not null) await connecting;
        await connection.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await connection.DisposeAsync();

    /// <summary>0.5 s, 1 s, 2 s... up to 30 s between tries.</summary>
    private sealed class Backoff : IRetryPolicy
    {
        public static TimeSpan Delay(int attempt) => TimeSpan.FromSeconds(Math.Min(30, 0.5 * Math.Pow(2, Math.Min(attempt, 6))));

        public TimeSpan? NextRetryDelay(RetryContext context) => Delay((int)context.PreviousRetryCount);
    }
}
