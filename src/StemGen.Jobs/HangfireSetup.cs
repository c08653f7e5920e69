using Hangfire;

namespace StemGen.Jobs;

/// <summary>
/// How every Hangfire server of the system (the studio's own, each GPU worker's) is set up, in one place: the same
/// serializer settings on both sides of the queue, and one job at a time per server.
/// </summary>
public static class HangfireSetup
{
    /// <summary>The serializer settings jobs are written and read with; studio and workers must agree.</summary>
    public static IGlobalConfiguration UseStemGenSettings(this IGlobalConfiguration configuration) => configuration
        .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
        .UseSimpleAssemblyNameTypeSerializer()
        .UseRecommendedSerializerSettings();

    /// <summary>A server named <paramref name="name"/> on <paramref name="queues"/>: one job at a time (one device, or the studio's one slot), schedules polled every second.</summary>
    public static void Configure(BackgroundJobServerOptions server, string name, string[] queues)
    {
        server.ServerName = name;
        server.Queues = queues;
        server.WorkerCount = 1;
        server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
    }
}
