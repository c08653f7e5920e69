using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace StemGen.Web.Data;

/// <summary>The site-wide roles: Admin (the admin area) and Listener (listening tests).</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Listener = "Listener";
    public static readonly string[] All = [Admin, Listener];
}

/// <summary>
/// Site roles of users (Admin, Listener) and locked accounts: the admin users page, the operator's
/// <c>admin create</c> command and the <see cref="StudioOptions.Admins"/> setting go through here.
/// Every change is checked against the acting admin's account as it is now (a page left open by an
/// admin whose role was revoked can change nothing), rotates the user's security stamp, and so
/// reaches the user's cookie and open pages within <see cref="StudioOptions.RevalidateSeconds"/>.
/// Admins cannot take away their own Admin role or lock themselves out, so a studio always keeps one.
/// </summary>
public sealed class UserRoles(UserManager<IdentityUser> users, StudioDbContext db, IOptions<StudioOptions> options, TimeProvider clock, ILogger<UserRoles> logger)
{
    public sealed record UserView(string Id, string UserName, bool Admin, bool Listener, int Projects, bool Locked);

    public async Task<List<UserView>> ListAsync(CancellationToken cancellationToken = default)
    {
        var adminRole = await db.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).SingleAsync(cancellationToken);
        var listenerRole = await db.Roles.Where(r => r.Name == Roles.Listener).Select(r => r.Id).SingleAsync(cancellationToken);
        var rows = await db.Users.OrderBy(u => u.UserName).Select(u => new
        {
            u.Id, u.UserName, u.LockoutEnd,
            Admin = db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == adminRole),
            Listener = db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == listenerRole),
            Projects = db.ProjectMembers.Count(m => m.UserId == u.Id),
        })
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return rows.Select(u => new UserView(u.Id, u.UserName!, u.Admin, u.Listener, u.Projects, u.LockoutEnd > now)).ToList();
    }

    /// <summary>Grants or revokes <paramref name="role"/>; <paramref name="actingUserId"/> is the admin making the change.</summary>
    public async Task SetAsync(string actingUserId, string userId, string role, bool member)
    {
        if (!Roles.All.Contains(role)) throw new StudioValidationException($"unknown role '{role}'");
        await RequireAdminAsync(actingUserId);
        var user = await users.FindByIdAsync(userId) ?? throw new KeyNotFoundException("no such user");
        if (!member && role == Roles.Admin && userId == actingUserId)
            throw new StudioValidationException("you cannot take away your own Admin role: ask another admin");
        if (await users.IsInRoleAsync(user, role) == member) return;
        Check(member ? await users.AddToRoleAsync(user, role) : await users.RemoveFromRoleAsync(user, role));
        Check(await users.UpdateSecurityStampAsync(user));
        logger.LogInformation("{Role} {Change} {User} by {Admin}", role, member ? "granted to" : "revoked from", user.UserName, actingUserId);
    }

    /// <summary>Locks an account (no sign-in; signed-in sessions end within the revalidation interval) or unlocks it.</summary>
    public async Task SetLockedAsync(string actingUserId, string userId, bool locked)
    {
        await RequireAdminAsync(actingUserId);
        if (locked && userId == actingUserId) throw new StudioValidationException("you cannot lock your own account");
        var user = await users.FindByIdAsync(userId) ?? throw new KeyNotFoundException("no such user");
        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null));
        if (!locked) Check(await users.ResetAccessFailedCountAsync(user));
        Check(await users.UpdateSecurityStampAsync(user));
        logger.LogInformation("{User} {Change} by {Admin}", user.UserName, locked ? "locked" : "unlocked", actingUserId);
    }

    /// <summary>Whether a user name is in the <see cref="StudioOptions.Admins"/> setting (such names cannot be registered).</summary>
    public bool IsConfiguredAdmin(string userName) =>
        options.Value.Admins.Any(a => string.Equals(a.Trim(), userName.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>At start-up: the users named in the setting who exist get the Admin role.</summary>
    public async Task GrantConfiguredAdminsAsync()
    {
        foreach (var name in options.Value.Admins.Select(a => a.Trim()).Where(a => a.Length > 0))
        {
            if (await users.FindByNameAsync(name) is not { } user || await users.IsInRoleAsync(user, Roles.Admin)) continue;
            await users.AddToRoleAsync(user, Roles.Admin);
            await users.UpdateSecurityStampAsync(user);
            logger.LogInformation("{User} is an admin (Studio:Admins)", name);
        }
    }

    /// <summary>
    /// The operator's command: creates the account (or, when it exists, unlocks it) with a new random
    /// password, makes it an Admin and a Listener, and returns the password, which is shown once and
    /// stored only as a hash.
    /// </summary>
    public async Task<string> CreateAdminAsync(string userName)
    {
        userName = (userName ?? "").Trim();
        var password = System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyz23456789", 20) + "7";
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            user = new IdentityUser { UserName = userName };
            Check(await users.CreateAsync(user, password));
        }
        else
        {
            Check(await users.RemovePasswordAsync(user));
            Check(await users.AddPasswordAsync(user, password));
            Check(await users.SetLockoutEndDateAsync(user, null));
            Check(await users.ResetAccessFailedCountAsync(user));
        }
        foreach (var role in Roles.All)
            if (!await users.IsInRoleAsync(user, role)) Check(await users.AddToRoleAsync(user, role));
        Check(await users.UpdateSecurityStampAsync(user));
        logger.LogInformation("{User} is an admin (admin create command)", userName);
        return password;
    }

    private async Task RequireAdminAsync(string actingUserId)
    {
        var actor = await users.FindByIdAsync(actingUserId);
        if (actor is null || !await users.IsInRoleAsync(actor, Roles.Admin) || await users.IsLockedOutAsync(actor))
            throw new StudioValidationException("you are no longer an admin; reload the page");
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new StudioValidationException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }
}
