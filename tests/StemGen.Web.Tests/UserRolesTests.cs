using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Tests;

/// <summary>How admins are made (the operator's command, the Studio:Admins setting), how roles are granted and revoked, and locked accounts.</summary>
public sealed class UserRolesTests : IAsyncLifetime
{
    // RevalidateSeconds 0: cookies are checked against the account on every request.
    private static readonly Dictionary<string, string> Settings = new() { ["Studio:Admins:0"] = "founder", ["Studio:RevalidateSeconds"] = "0" };
    private readonly StudioFactory factory = new(settings: Settings);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private async Task<T> WithAsync<T>(Func<UserRoles, UserManager<IdentityUser>, Task<T>> action, StudioFactory? on = null)
    {
        await using var scope = (on ?? factory).Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserRoles>(), scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>());
    }

    private Task<string> IdOfAsync(string name) => WithAsync(async (_, users) => (await users.FindByNameAsync(name))!.Id);

    [Fact]
    public async Task The_setting_makes_only_existing_accounts_admins_and_its_names_cannot_be_registered()
    {
        var data = Path.Combine(Path.GetTempPath(), "stemgen-web-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>(Settings) { ["Studio:Admins:0"] = "Founder" };
        await using (var first = new StudioFactory(dataDirectory: data, settings: settings) { CreateAdmins = false })
        {
            await first.RegisterAsync("guest");
            var refused = await first.NewClient().RegisterAsync("founder", "secret123"); // names compare without case
            Assert.Contains("already taken", Uri.UnescapeDataString(refused.Headers.Location!.OriginalString));
            // The account exists from before (made by hand, or registered before the operator named it).
            await WithAsync(async (_, users) => (await users.CreateAsync(new IdentityUser { UserName = "founder" }, "secret123")).Succeeded, first);
        }
        await using var restarted = new StudioFactory(dataDirectory: data, settings: settings) { CreateAdmins = false };
        var list = await WithAsync((roles, _) => roles.ListAsync(), restarted);
        Assert.Equal([("founder", true, false), ("guest", false, false)], list.Select(u => (u.UserName, u.Admin, u.Listener)));
        Assert.Equal(HttpStatusCode.OK, (await (await restarted.SignInAsync("founder")).Http.GetAsync("/admin/users")).StatusCode);
        restarted.DeleteData();
    }

    [Fact]
    public async Task The_admin_command_creates_an_admin_with_a_password_shown_once_and_resets_it_when_run_again()
    {
        Assert.Equal(["create", "boss"], AdminCommand.Find(["--urls", "http://localhost:5000", "--Studio:DataDirectory=/d", "admin", "create", "boss"])!);
        Assert.Null(AdminCommand.Find(["--urls", "http://localhost:5000"]));
        var output = new StringWriter();
        Assert.Equal(0, await AdminCommand.RunAsync(factory.Services, ["create", "boss"], output));
        var password = output.ToString().Trim().Split(' ').Last();
        Assert.Equal(HttpStatusCode.OK, (await (await factory.SignInAsync("boss", password)).Http.GetAsync("/admin/users")).StatusCode);
        Assert.Equal([("boss", true, true)], (await WithAsync((roles, _) => roles.ListAsync())).Where(u => u.UserName == "boss").Select(u => (u.UserName, u.Admin, u.Listener)));

        var again = await WithAsync((roles, _) => roles.CreateAdminAsync("boss"));
        Assert.NotEqual(password, again);
        Assert.Contains("error=", (await factory.NewClient().LoginAsync("boss", password)).Headers.Location!.OriginalString);
        await factory.SignInAsync("boss", again);
        Assert.Equal(2, await AdminCommand.RunAsync(factory.Services, ["delete", "boss"], TextWriter.Null));
    }

    [Fact]
    public async Task Admins_grant_and_revoke_roles_but_not_their_own_admin_role()
    {
        await factory.RegisterAsync("founder");
        await factory.RegisterAsync("helper");
        var (founder, helper) = (await IdOfAsync("founder"), await IdOfAsync("helper"));

        await WithAsync(async (roles, _) => { await roles.SetAsync(founder, helper, Roles.Admin, member: true); return 0; });
        await WithAsync(async (roles, _) => { await roles.SetAsync(founder, helper, Roles.Listener, member: true); return 0; });
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

    [Fact]
    public async Task A_role_change_ends_the_users_signed_in_sessions_and_open_pages()
    {
        var founder = await factory.RegisterAsync("founder");
        var helper = await factory.RegisterAsync("helper");
        System.Security.Claims.ClaimsPrincipal page; // what an open page of the helper holds
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            page = await scope.ServiceProvider.GetRequiredService<SignInManager<IdentityUser>>().CreateUserPrincipalAsync((await users.FindByNameAsync("helper"))!);
            Assert.True(await AccountRevalidation.IsCurrentAsync(scope.ServiceProvider, page));
        }

        await WithAsync(async (roles, _) => { await roles.SetAsync(await IdOfAsync("founder"), await IdOfAsync("helper"), Roles.Listener, member: true); return 0; });
        Assert.Equal(HttpStatusCode.Unauthorized, (await helper.Http.GetAsync("/api/projects")).StatusCode); // the security stamp changed
        await using (var scope = factory.Services.CreateAsyncScope())
            Assert.False(await AccountRevalidation.IsCurrentAsync(scope.ServiceProvider, page)); // an open page signs out at its next check
        Assert.Equal(HttpStatusCode.OK, (await founder.Http.GetAsync("/api/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await factory.SignInAsync("helper")).Http.GetAsync("/listen")).StatusCode);
    }

    [Fact]
    public async Task Admins_lock_and_unlock_users()
    {
        await factory.RegisterAsync("founder");
        var helper = await factory.RegisterAsync("helper");
        var (founder, helperId) = (await IdOfAsync("founder"), await IdOfAsync("helper"));

        await WithAsync(async (roles, _) => { await roles.SetLockedAsync(founder, helperId, locked: true); return 0; });
        Assert.True((await WithAsync((roles, _) => roles.ListAsync())).Single(u => u.UserName == "helper").Locked);
        Assert.Equal(HttpStatusCode.Unauthorized, (await helper.Http.GetAsync("/api/projects")).StatusCode);
        var refused = await factory.NewClient().LoginAsync("helper", "secret123");
        Assert.Contains("locked", Uri.UnescapeDataString(refused.Headers.Location!.OriginalString));
        var self = await Assert.ThrowsAsync<StudioValidationException>(() => WithAsync(async (roles, _) => { await roles.SetLockedAsync(founder, founder, locked: true); return 0; }));
        Assert.Contains("your own account", self.Message);

        await WithAsync(async (roles, _) => { await roles.SetLockedAsync(founder, helperId, locked: false); return 0; });
        Assert.Equal(HttpStatusCode.OK, (await (await factory.SignInAsync("helper")).Http.GetAsync("/api/projects")).StatusCode);
    }
}
