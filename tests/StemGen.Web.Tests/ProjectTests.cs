using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Jobs;

namespace StemGen.Web.Tests;

/// <remarks>Runs on SQLite and on PostgreSQL (the nested <see cref="Sqlite"/> and <see cref="Postgres"/> classes).</remarks>
public abstract class ProjectTests(TestDatabase database) : IAsyncLifetime
{
    private readonly StudioFactory factory = new(database: database);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    [Fact]
    public void The_studio_runs_on_the_configured_database()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<StemGen.Web.Data.StudioDbContext>();
        var expected = factory.Database.Provider == StemGen.Web.Data.DatabaseProvider.Postgres
            ? "Npgsql.EntityFrameworkCore.PostgreSQL" : "Microsoft.EntityFrameworkCore.Sqlite";
        Assert.Equal(expected, db.Database.ProviderName);
        Assert.Empty(db.Database.GetPendingMigrations());
    }

    [Fact]
    public async Task Create_rename_invite_and_delete()
    {
        var owner = await factory.RegisterAsync("owner1");
        var friend = await factory.RegisterAsync("friend1");
        var id = await owner.CreateProjectAsync("  First song ");

        var project = await owner.GetJsonAsync($"/api/projects/{id}");
        Assert.Equal("First song", project.GetProperty("name").GetString());
        Assert.Equal("Owner", project.GetProperty("role").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.PutAsJsonAsync($"/api/projects/{id}", new { name = "Renamed" })).StatusCode);
        Assert.Equal("Renamed", (await owner.GetJsonAsync($"/api/projects/{id}")).GetProperty("name").GetString());

        var empty = await owner.Http.PutAsJsonAsync($"/api/projects/{id}", new { name = "   " });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("needs a name", await empty.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await friend.Http.GetAsync($"/api/projects/{id}")).StatusCode);
        var unknown = await owner.Http.PostAsJsonAsync($"/api/projects/{id}/members", new { userName = "nobody", role = "Editor" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("no user named 'nobody'", await unknown.Content.ReadAsStringAsync());
        var asOwner = await owner.Http.PostAsJsonAsync($"/api/projects/{id}/members", new { userName = "friend1", role = "Owner" });
        Assert.Equal(HttpStatusCode.BadRequest, asOwner.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PostAsJsonAsync($"/api/projects/{id}/members", new { userName = "friend1", role = "Viewer" })).StatusCode);
        Assert.Equal("Viewer", (await friend.GetJsonAsync($"/api/projects/{id}")).GetProperty("role").GetString());
        var members = await owner.GetJsonAsync($"/api/projects/{id}/members");
        Assert.Equal(2, members.GetArrayLength());

        var listed = await friend.GetJsonAsync("/api/projects");
        Assert.Single(listed.EnumerateArray(), p => p.GetProperty("id").GetInt32() == id);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/projects/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/projects/{id}")).StatusCode);
        Assert.Equal(0, (await friend.GetJsonAsync("/api/projects")).GetArrayLength());
    }

    [Fact]
    public async Task Project_page_renders_for_members_and_is_404_for_strangers()
    {
        var owner = await factory.RegisterAsync("owner2");
        var stranger = await factory.RegisterAsync("stranger2");
        var id = await owner.CreateProjectAsync("Page test");

        // The worker loads the generator at start-up; the page then names its device.
        var host = factory.Services.GetRequiredService<GeneratorHost>();
        await Poll.LatestAsync(() => Task.FromResult(host.IsLoaded), loaded => loaded, seconds: 5, intervalMs: 50);
        var page = await owner.Http.GetAsync($"/projects/{id}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Page test", html);
        Assert.Contains("test tone generator (CPU)", html);

        var hidden = await stranger.Http.GetAsync($"/projects/{id}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.DoesNotContain("Page test", await hidden.Content.ReadAsStringAsync());

        var anonymous = await factory.NewClient().Http.GetAsync($"/projects/{id}");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
    }

    public sealed class Sqlite() : ProjectTests(TestDatabase.Sqlite);

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class Postgres(PostgresServer server) : ProjectTests(server.NewDatabase());
}
