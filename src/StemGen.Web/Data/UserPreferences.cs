using System.Security.Claims;
using Microsoft.AspNetCore.Identity;

namespace StemGen.Web.Data;

/// <summary>
/// Per-user settings of the studio's look, kept as Identity user claims (no table of their own):
/// the theme follows the user from browser to browser. Anonymous visitors get the defaults.
/// </summary>
public sealed class UserPreferences(IServiceScopeFactory scopes)
{
    public const string DarkModeClaim = "stemgen:dark-mode";

    public async Task<bool> DarkModeAsync(ClaimsPrincipal principal)
    {
        if (ProjectAccess.UserId(principal) is not { } userId) return false;
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByIdAsync(userId) is not { } user) return false;
        return (await users.GetClaimsAsync(user)).Any(c => c.Type == DarkModeClaim && c.Value == "true");
    }

    public async Task SetDarkModeAsync(ClaimsPrincipal principal, bool dark)
    {
        if (ProjectAccess.UserId(principal) is not { } userId) return;
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByIdAsync(userId) is not { } user) return;
        var old = (await users.GetClaimsAsync(user)).Where(c => c.Type == DarkModeClaim).ToList();
        if (old.Count > 0) await users.RemoveClaimsAsync(user, old);
        if (dark) await users.AddClaimAsync(user, new Claim(DarkModeClaim, "true"));
    }
}
