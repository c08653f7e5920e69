using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Tests;

/// <summary>The role-gated pages (admin overview, listening tests) against anonymous callers, users without the role and users with it.</summary>
public sealed class PageAuthorizationTests : IAsyncLifetime
{
    private readonly StudioFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private async Task SetRoleAsync(string userName, string role, bool member)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = (await users.FindByNameAsync(userName))!;
        var result = member ? await users.AddToRoleAsync(user, role) : await users.RemoveFromRoleAsync(user, role);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>Roles are read at sign-in, so a changed user signs in again.</summary>
    private async Task<StudioClient> SignInAsync(string userName)
    {
        var client = factory.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.LoginAsync(userName, "secret123")).StatusCode);
        return client;
    }

    /// <summary>A signed-in user without the role is sent to the "not allowed" page (403), and nothing of the page shows.</summary>
    private static async Task AssertDeniedAsync(StudioClient client, string page)
    {
        var response = await client.Http.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var target = response.Headers.Location!.OriginalString.Replace("http://localhost", "");
        Assert.StartsWith("/account/denied", target);
        var denied = await client.Http.GetAsync(target);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var html = await denied.Content.ReadAsStringAsync();
        Assert.Contains("needs a role", html);
        Assert.DoesNotContain("Studio overview", html);
    }

    // Every admin page and endpoint against every caller: AdminAuthorizationTests (read from the route table).
    [Theory]
    [InlineData("/listen")]
    [InlineData("/listen/1")]
    public async Task Anonymous_callers_are_sent_to_log_in(string page)
    {
        var response = await factory.NewClient().Http.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.OriginalString.Replace("http://localhost", ""));
    }

    [Fact]
    public async Task The_admin_overview_refuses_users_without_the_admin_role()
    {
        var listener = await factory.RegisterAsync("plain-listener");
        await AssertDeniedAsync(listener, "/admin");
        Assert.DoesNotContain(">Admin<", await listener.Http.GetStringAsync("/projects")); // no Admin section in the navigation either

        await SetRoleAsync("plain-listener", Roles.Admin, member: true);
        var admin = await SignInAsync("plain-listener");
        var usersPage = await admin.Http.GetStringAsync("/admin/users");
        Assert.Contains("plain-listener", usersPage);
        var granted = await admin.Http.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var page = await granted.Content.ReadAsStringAsync();
        Assert.Contains("Studio overview", page);
        Assert.Contains("served-model", page);
    }

    [Fact]
    public async Task The_jobs_dashboard_is_for_admins_only()
    {
        var anonymous = await factory.NewClient().Http.GetAsync("/admin/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var listener = await factory.RegisterAsync("dash-listener");
        var refused = await listener.Http.GetAsync("/admin/jobs");
        Assert.Contains(refused.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.DoesNotContain("StemGen jobs", await refused.Content.ReadAsStringAsync());

        await SetRoleAsync("dash-listener", Roles.Admin, member: true);
        var admin = await SignInAsync("dash-listener");
        var dashboard = await admin.Http.GetAsync("/admin/jobs");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("StemGen jobs", await dashboard.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Listening_tests_need_the_listener_role()
    {
        var user = await factory.RegisterListenerAsync("new-listener");
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync("/listen")).StatusCode);

        await SetRoleAsync("new-listener", Roles.Listener, member: false);
        var withoutRole = await SignInAsync("new-listener");
        await AssertDeniedAsync(withoutRole, "/listen");
        await AssertDeniedAsync(withoutRole, "/listen/1");
    }
}
