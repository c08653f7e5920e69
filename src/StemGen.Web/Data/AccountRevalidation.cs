using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace StemGen.Web.Data;

/// <summary>
/// Open pages (Blazor circuits) check their user against the account every
/// <see cref="StudioOptions.RevalidateSeconds"/>: when the security stamp changed (a role granted or
/// revoked, a lock, a new password) or the account is locked or gone, the page signs out.
/// </summary>
public sealed class AccountRevalidation(ILoggerFactory logs, IServiceScopeFactory scopes, IOptions<StudioOptions> studio)
    : RevalidatingServerAuthenticationStateProvider(logs)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(Math.Max(1, studio.Value.RevalidateSeconds));

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await IsCurrentAsync(scope.ServiceProvider, authenticationState.User);
    }

    /// <summary>Whether a signed-in principal still matches its account: same security stamp, not locked.</summary>
    public static async Task<bool> IsCurrentAsync(IServiceProvider services, ClaimsPrincipal principal)
    {
        var users = services.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.GetUserAsync(principal) is not { } user || await users.IsLockedOutAsync(user)) return false;
        var stampClaim = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        return principal.FindFirstValue(stampClaim) == await users.GetSecurityStampAsync(user);
    }
}
