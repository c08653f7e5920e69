using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using StemGen.Web.Data;
using StemGen.Web.Events;

namespace StemGen.Web.Hubs;

/// <summary>
/// Live updates for clients outside Blazor (scripts, other tools): join a project's group to get its
/// "progress" and "changed" messages. Joining checks membership; a non-member is told the project
/// does not exist, exactly like the HTTP endpoints' 404.
/// </summary>
[Authorize]
public sealed class ProjectHub(ProjectAccess access, ProjectHubMembers members) : Hub
{
    public static string Group(int projectId) => $"project-{projectId}";

    public async Task JoinProject(int projectId)
    {
        if (await access.RoleAsync(projectId, Context.User!) is null)
            throw new HubException($"project {projectId} not found");
        members.Joined(projectId, Context.ConnectionId, ProjectAccess.UserId(Context.User!)!);
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(projectId));
    }

    public async Task LeaveProject(int projectId)
    {
        members.Left(projectId, Context.ConnectionId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(projectId));
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        members.Disconnected(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>Which user each connection in a project's group belongs to, so that a removed member's connections leave the group at once.</summary>
public sealed class ProjectHubMembers
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int ProjectId, string ConnectionId), string> joined = new();

    public void Joined(int projectId, string connectionId, string userId) => joined[(projectId, connectionId)] = userId;

    public void Left(int projectId, string connectionId) => joined.TryRemove((projectId, connectionId), out _);

    public void Disconnected(string connectionId)
    {
        foreach (var key in joined.Keys.Where(k => k.ConnectionId == connectionId)) joined.TryRemove(key, out _);
    }

    /// <summary>Takes the user's connections out of the project's set; returns them so the caller removes them from the group.</summary>
    public List<string> Drop(int projectId, string userId)
    {
        var dropped = joined.Where(e => e.Key.ProjectId == projectId && e.Value == userId).Select(e => e.Key).ToList();
        foreach (var key in dropped) joined.TryRemove(key, out _);
        return dropped.Select(k => k.ConnectionId).ToList();
    }
}

/// <summary>Forwards every project event to that project's hub group, and takes removed members' connections out of it.</summary>
public sealed class ProjectHubRelay(ProjectEvents events, IHubContext<ProjectHub> hub, ProjectHubMembers members) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        events.Published += ForwardAsync;
        events.MemberDropped += DropAsync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        events.Published -= ForwardAsync;
        events.MemberDropped -= DropAsync;
        return Task.CompletedTask;
    }

    private async Task DropAsync(int projectId, string userId)
    {
        foreach (var connection in members.Drop(projectId, userId))
            await hub.Groups.RemoveFromGroupAsync(connection, ProjectHub.Group(projectId));
    }

    private Task ForwardAsync(ProjectEvent projectEvent) => projectEvent switch
    {
        JobProgressEvent p => hub.Clients.Group(ProjectHub.Group(p.ProjectId)).SendAsync("progress", p),
        ProjectChangedEvent c => hub.Clients.Group(ProjectHub.Group(c.ProjectId)).SendAsync("changed", c),
        _ => Task.CompletedTask,
    };
}
