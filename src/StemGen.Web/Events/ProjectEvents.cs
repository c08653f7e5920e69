using System.Collections.Concurrent;
using System.Security.Claims;
using StemGen.Web.Data;

namespace StemGen.Web.Events;

/// <summary>Something changed in a project that open pages should show.</summary>
public abstract record ProjectEvent(int ProjectId);

/// <summary>A job's state or progress (level, step, percent, ETA).</summary>
public sealed record JobProgressEvent(int ProjectId, int JobId, TaskState State, string? Phase, int Level, int Step,
    double Percent, double? EtaSeconds, string? Error, string? Device = null) : ProjectEvent(ProjectId);

/// <summary>Stems, members, candidates or the name changed: reload what is shown.</summary>
public sealed record ProjectChangedEvent(int ProjectId, string What) : ProjectEvent(ProjectId);

/// <summary>
/// In-process fan-out of project events to every open page (Blazor circuits) and to the SignalR hub: the project's
/// view of the task bus (its generation jobs, from <see cref="TaskEvents"/>) and the project's own changes.
/// Subscribing checks membership, like joining the hub's group does.
/// </summary>
public sealed class ProjectEvents
{
    private readonly IServiceScopeFactory scopes;
    private readonly ILogger<ProjectEvents> logger;

    public ProjectEvents(IServiceScopeFactory scopes, TaskEvents tasks, ILogger<ProjectEvents> logger)
    {
        (this.scopes, this.logger) = (scopes, logger);
        tasks.Changed += e =>
        {
            if (e.Detail is JobProgressEvent progress) Publish(progress);
        };
    }

    private readonly ConcurrentDictionary<int, ConcurrentDictionary<Guid, (string UserId, Func<ProjectEvent, Task> Handler)>> subscribers = new();

    /// <summary>Listeners that get every project's events (the hub relay).</summary>
    public event Func<ProjectEvent, Task>? Published;

    /// <summary>A member left a project (the hub relay takes the user's connections out of its group).</summary>
    public event Func<int, string, Task>? MemberDropped;

    /// <summary>Subscribes a member of the project; null when the user is not a member (nothing is delivered).</summary>
    public async Task<IDisposable?> SubscribeAsync(int projectId, ClaimsPrincipal user, Func<ProjectEvent, Task> handler)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var access = scope.ServiceProvider.GetRequiredService<ProjectAccess>();
            if (await access.RoleAsync(projectId, user) is null) return null;
        }
        var id = Guid.NewGuid();
        subscribers.GetOrAdd(projectId, _ => new()).TryAdd(id, (ProjectAccess.UserId(user)!, handler));
        return new Subscription(() =>
        {
            if (subscribers.TryGetValue(projectId, out var handlers)) handlers.TryRemove(id, out _);
        });
    }

    /// <summary>
    /// A member was removed from the project: the user's open pages and hub connections stop getting its
    /// events now (membership is otherwise checked only when subscribing or joining).
    /// </summary>
    public async Task DropMemberAsync(int projectId, string userId)
    {
        if (subscribers.TryGetValue(projectId, out var map))
            foreach (var (id, _) in map.Where(s => s.Value.UserId == userId).ToList()) map.TryRemove(id, out _);
        foreach (var handler in MemberDropped?.GetInvocationList().Cast<Func<int, string, Task>>() ?? [])
        {
            try { await handler(projectId, userId); }
            catch (Exception e) { logger.LogWarning(e, "dropping a member's connections failed"); }
        }
    }

    public void Publish(ProjectEvent projectEvent)
    {
        var handlers = subscribers.TryGetValue(projectEvent.ProjectId, out var map) ? map.Values.Select(s => s.Handler).ToArray() : [];
        var global = Published?.GetInvocationList().Cast<Func<ProjectEvent, Task>>() ?? [];
        foreach (var handler in handlers.Concat(global))
            _ = InvokeAsync(handler, projectEvent);
    }

    private async Task InvokeAsync(Func<ProjectEvent, Task> handler, ProjectEvent projectEvent)
    {
        try { await handler(projectEvent); }
        catch (Exception e) { logger.LogWarning(e, "a project event handler failed"); }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) dispose();
        }
    }
}
