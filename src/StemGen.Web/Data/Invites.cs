using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Data;

/// <summary>
/// Invite links for <see cref="RegistrationMode.InviteOnly"/> studios: a token signed with the
/// studio's data-protection keys that names its creator, expires after <see cref="Lifetime"/>, and is
/// used once (the account made with it keeps its id as a claim). Admins and project owners create
/// them; only an admin's invite may make the new account a Listener.
/// </summary>
public sealed class Invites(IDataProtectionProvider protection, StudioDbContext db, UserManager<IdentityUser> users)
{
    public const string ClaimType = "stemgen:invite";
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public sealed record Invite(string Id, string CreatedBy, bool Listener);

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("StemGen.Invites.v1").ToTimeLimitedDataProtector();

    /// <summary>A new invite token; refused unless the creator is an admin or owns a project (and an admin, for a Listener invite).</summary>
    public async Task<string> CreateAsync(string creatorId, bool listener, CancellationToken cancellationToken = default)
    {
        var creator = await users.FindByIdAsync(creatorId) ?? throw new StudioValidationException("no such user");
        var admin = await users.IsInRoleAsync(creator, Roles.Admin);
        if (listener && !admin) throw new StudioValidationException("only admins invite listeners");
        if (!admin && !await db.ProjectMembers.AnyAsync(m => m.UserId == creatorId && m.Role == ProjectRole.Owner, cancellationToken))
            throw new StudioValidationException("only admins and project owners create invite links");
        return Protector.Protect($"{Guid.NewGuid():N}|{(listener ? 1 : 0)}|{creatorId}", Lifetime);
    }

    /// <summary>The invite a token stands for; null when it is forged, expired or already used.</summary>
    public async Task<Invite?> ReadAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(token)) return null;
        string text;
        try { text = Protector.Unprotect(token.Trim(), out _); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
        var parts = text.Split('|', 3);
        if (parts.Length != 3) return null;
        if (await db.UserClaims.AnyAsync(c => c.ClaimType == ClaimType && c.ClaimValue == parts[0], cancellationToken)) return null;
        return new Invite(parts[0], parts[2], parts[1] == "1");
    }

    /// <summary>Marks the invite used by the account it made, and grants what it grants.</summary>
    public async Task RedeemAsync(IdentityUser user, Invite invite)
    {
        await users.AddClaimAsync(user, new System.Security.Claims.Claim(ClaimType, invite.Id));
        if (invite.Listener) await users.AddToRoleAsync(user, Roles.Listener);
    }
}
