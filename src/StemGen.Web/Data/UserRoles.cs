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
/// Site roles of users (Admin, Listener): the admin users page and the <see cref="StudioOptions.Admins"/>
/// setting go through here. Admins cannot take away their own Admin role, so a studio always keeps one.
/// A change reaches the user's session at their next sign-in.
/// </summary>
public sealed class UserRoles(UserManager<IdentityUser> users, StudioDbContext db, IOptions<StudioOptions> options, ILogger<UserRoles> logger)
{
    public sealed record UserView(string Id, string UserName, bool Admin, bool Listener, int Projects);

    public async Task<List<UserView>> ListAsync(CancellationToken cancellationToken = default)
    {
        var adminRole = await db.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).SingleAsync(cancellationToken);
        var listenerRole = await db.Roles.Where(r => r.Name == Roles.Listener).Select(r => r.Id).SingleAsync(cancellationToken);
        return await db.Users.OrderBy(u => u.UserName).Select(u => new UserView(u.Id, u.UserName!,
                db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == adminRole),
                db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == listenerRole),
                db.ProjectMembers.Count(m => m.UserId == u.Id)))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Grants or revokes <paramref name="role"/>; <paramref name="actingUserId"/> is the admin making the change.</summary>
    public async Task SetAsync(string actingUserId, string userId, string role, bool member)
    {
        if (!Roles.All.Contains(role)) throw new StudioValidationException($"unknown role '{role}'");
        var user = await users.FindByIdAsync(userId) ?? throw new KeyNotFoundException("no such user");
        if (!member && role == Roles.Admin && userId == actingUserId)
            throw new StudioValidationException("you cannot take away your own Admin role: ask another admin");
        if (await users.IsInRoleAsync(user, role) == member) return;
        var result = member ? await users.AddToRoleAsync(user, role) : await users.RemoveFromRoleAsync(user, role);
        if (!result.Succeeded) throw new StudioValidationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        logger.LogInformation("{Role} {Change} {User} by {Admin}", role, member ? "granted to" : "revoked from", user.UserName, actingUserId);
    }

    /// <summary>Whether a user name is in the <see cref="StudioOptions.Admins"/> setting.</summary>
    public bool IsConfiguredAdmin(string userName) =>
        options.Value.Admins.Any(a => string.Equals(a.Trim(), userName, StringComparison.OrdinalIgnoreCase));

    /// <summary>At start-up: the users named in the setting who exist get the Admin role.</summary>
    public async Task GrantConfiguredAdminsAsync()
    {
        foreach (var name in options.Value.Admins.Select(a => a.Trim()).Where(a => a.Length > 0))
        {
            if (await users.FindByNameAsync(name) is not { } user || await users.IsInRoleAsync(user, Roles.Admin)) continue;
            await users.AddToRoleAsync(user, Roles.Admin);
            logger.LogInformation("{User} is an admin (Studio:Admins)", name);
        }
    }
}
