using StemGen.Web.Events;

namespace StemGen.Web.Tasks;

public static class TasksSetup
{
    /// <summary>The kernel: the event bus, the studio's queue, the watchdog and start-up recovery (after the job storage, <see cref="Jobs.JobsSetup"/>).</summary>
    public static IServiceCollection AddTaskKernel(this IServiceCollection services)
    {
        services.AddSingleton<TaskEvents>();
        services.AddSingleton<TaskQueue>();
        services.AddHostedService<TaskRecovery>();
        services.AddHostedService<TaskWatchdog>();
        services.AddScoped<ITaskKind, GenerationTasks>();
        return services;
    }

    /// <summary>A kind of task: its Hangfire job, and the same object as an <see cref="ITaskKind"/> for the watchdog and recovery.</summary>
    public static IServiceCollection AddTaskKind<TJob>(this IServiceCollection services) where TJob : class, ITaskKind
    {
        services.AddTransient<TJob>();
        services.AddTransient<ITaskKind>(sp => sp.GetRequiredService<TJob>());
        return services;
    }
}
