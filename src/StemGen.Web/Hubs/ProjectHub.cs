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
public sealed class ProjectHub(ProjectAccess access) : Hub
{
    public static string Group(int projectId) => $"project-{projectId}";

    public async Task JoinProject(int projectId)
    {
        if (await access.RoleAsync(projectId, Context.User!) is null)
            throw new HubException($"project {projectId} not found");
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(projectId));
    }

    public Task LeaveProject(int projectId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(projectId));
}

/// <summary>Forwards every project event to that project's hub group.</summary>
public sealed class ProjectHubRelay(ProjectEvents events, IHubContext<ProjectHub> hub) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        events.Published += ForwardAsync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        events.Published -= ForwardAsync;
        return Task.CompletedTask;
    }

    private Task ForwardAsync(ProjectEvent projectEvent) => projectEvent switch
    {
        JobProgressEvent p => hub.Clients.Group(ProjectHub.Group(p.ProjectId)).SendAsync("progress", p),
        ProjectChangedEvent c => hub.Clients.Group(ProjectHub.Group(c.ProjectId)).SendAsync("changed", c),
        _ => Task.CompletedTask,
    };
}
