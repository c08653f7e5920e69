using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Tests;

/// <summary>How admins are made (the Studio:Admins setting) and how roles are granted and revoked.</summary>
public sealed class UserRolesTests : IAsyncLifetime
{
    private readonly StudioFactory factory = new(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "Founder" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private async Task<T> WithAsync<T>(Func<UserRoles, UserManager<IdentityUser>, Task<T>> action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserRoles>(), scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>());
    }

    [Fact]
    public async Task A_user_named_in_the_setting_registers_as_an_admin_and_others_as_listeners()
    {
        await factory.RegisterAsync("founder"); // names compare without case
        await factory.RegisterAsync("guest");
        var list = await WithAsync((roles, _) => roles.ListAsync());
        Assert.Equal([("founder", true, true), ("guest", false, true)], list.Select(u => (u.UserName, u.Admin, u.Listener)));
        Assert.Equal(HttpStatusCode.OK, (await (await SignInAsync("founder")).Http.GetAsync("/admin/users")).StatusCode);
    }

    [Fact]
    public async Task Admins_grant_and_revoke_roles_but_not_their_own_admin_role()
    {
        await factory.RegisterAsync("founder");
        await factory.RegisterAsync("helper");
        var (founder, helper) = await WithAsync(async (_, users) => ((await users.FindByNameAsync("founder"))!.Id, (await users.FindByNameAsync("helper"))!.Id));

        await WithAsync(async (roles, _) => { await roles.SetAsync(founder, helper, Roles.Admin, member: true); return 0; });
        await WithAsync(async (roles, _) => { await roles.SetAsync(founder, helper, Roles.Listener, member: false); return 0; });
        var view = (await WithAsync((roles, _) => roles.ListAsync())).Single(u => u.UserName == "helper");
        Assert.True(view.Admin);
        Assert.False(view.Listener);

        var refused = await Assert.ThrowsAsync<StudioValidationException>(() => WithAsync(async (roles, _) => { await roles.SetAsync(founder, founder, Roles.Admin, member: false); return 0; }));
        Assert.Contains("your own Admin role", refused.Message);
        await Assert.ThrowsAsync<StudioValidationException>(() => WithAsync(async (roles, _) => { await roles.SetAsync(founder, helper, "Owner", member: true); return 0; }));
        // Another admin may do it.
        await WithAsync(async (roles, _) => { await roles.SetAsync(helper, founder, Roles.Admin, member: false); return 0; });
        Assert.False((await WithAsync((roles, _) => roles.ListAsync())).Single(u => u.UserName == "founder").Admin);
    }

    private async Task<StudioClient> SignInAsync(string userName)
    {
        var client = factory.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await client.LoginAsync(userName, "secret123")).StatusCode);
        return client;
    }
}
