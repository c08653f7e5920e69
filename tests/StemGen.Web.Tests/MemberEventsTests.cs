using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Projects;

namespace StemGen.Web.Tests;

/// <summary>Membership changes tell the project's listeners themselves, whoever makes them (the API, a page, a test).</summary>
public sealed class MemberEventsTests : IAsyncLifetime
{
    private readonly StudioFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    [Fact]
    public async Task Inviting_and_removing_through_the_service_publish_the_change_and_drop_the_removed_members_connections()
    {
        var owner = await factory.RegisterAsync("events-owner");
        await factory.RegisterAsync("events-friend");
        var id = await owner.CreateProjectAsync("Events");
        var events = factory.Services.GetRequiredService<ProjectEvents>();
        var changes = new List<ProjectEvent>();
        var dropped = new List<(int, string)>();
        events.Published += e => { lock (changes) changes.Add(e); return Task.CompletedTask; };
        events.MemberDropped += (project, user) => { lock (dropped) dropped.Add((project, user)); return Task.CompletedTask; };

        await using var scope = factory.Services.CreateAsyncScope();
        var projects = scope.ServiceProvider.GetRequiredService<ProjectService>();
        var member = await projects.InviteAsync(id, "events-friend", ProjectRole.Editor);
        lock (changes) Assert.Equal(new ProjectEvent[] { new ProjectChangedEvent(id, "members") }, changes);

        await projects.RemoveMemberAsync(id, member.UserId);
        lock (changes) Assert.Equal(2, changes.Count(e => e == new ProjectChangedEvent(id, "members")));
        lock (dropped) Assert.Equal(new[] { (id, member.UserId) }, dropped);

        // A refused change publishes nothing.
        await Assert.ThrowsAsync<StudioValidationException>(() => projects.RemoveMemberAsync(id, member.UserId));
        lock (changes) Assert.Equal(2, changes.Count);
    }
}
