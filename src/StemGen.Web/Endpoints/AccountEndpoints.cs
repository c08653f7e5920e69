using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using StemGen.Web.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace StemGen.Web.Endpoints;

/// <summary>
/// Register, log in, log out: plain form posts from the account pages (anti-forgery is checked by the
/// middleware because they bind forms). Errors go back to the page as a message in the query string.
/// </summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/register", async ([FromForm] string userName, [FromForm] string password, [FromForm] string confirmPassword,
            [FromForm] string? invite, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, StemGen.Web.Data.UserRoles roles,
            StemGen.Web.Data.Invites invites, IOptions<StudioOptions> options, HttpContext http) =>
        {
            var page = string.IsNullOrEmpty(invite) ? "/account/register" : $"/account/register?invite={Uri.EscapeDataString(invite)}";
            var mode = options.Value.Registration;
            if (mode == RegistrationMode.Closed) return Back(page, "registration is closed: ask an admin for an account");
            var ticket = await invites.ReadAsync(invite, http.RequestAborted);
            if (ticket is null && (mode == RegistrationMode.InviteOnly || !string.IsNullOrEmpty(invite)))
                return Back(page, string.IsNullOrEmpty(invite) ? "registration needs an invite link: ask an admin or a project owner"
                    : "this invite link is not valid any more (used, expired or mistyped): ask for a new one");
            if (password != confirmPassword) return Back(page, "the passwords do not match");
            var user = new IdentityUser { UserName = (userName ?? "").Trim() };
            // Names given to Studio:Admins are the operator's: a stranger registering one would become the admin at the next start.
            if (roles.IsConfiguredAdmin(user.UserName)) return Back(page, $"Username '{user.UserName}' is already taken.");
            var created = await users.CreateAsync(user, password ?? "");
            if (!created.Succeeded) return Back(page, string.Join(" ", created.Errors.Select(e => e.Description)));
            if (ticket is not null) await invites.RedeemAsync(user, ticket);
            await signIn.SignInAsync(user, isPersistent: false);
            return Results.LocalRedirect("/projects");
        });

        // Admins and project owners: an invite link for one new account (Listener: makes it a Listener; admins only).
        app.MapPost("/api/invites", async (InviteCreateRequest request, HttpContext http, Invites invites) =>
            {
                var token = await invites.CreateAsync(ProjectAccess.UserId(http.User)!, request.Listener, http.RequestAborted);
                var link = $"{http.Request.Scheme}://{http.Request.Host}/account/register?invite={Uri.EscapeDataString(token)}";
                return Results.Ok(new { link, expires = DateTimeOffset.UtcNow.Add(Invites.Lifetime) });
            }).RequireAuthorization().AddEndpointFilter<ApiAntiforgeryFilter>();

        app.MapPost("/account/login", async ([FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl,
            SignInManager<IdentityUser> signIn) =>
        {
            var result = await signIn.PasswordSignInAsync((userName ?? "").Trim(), password ?? "", isPersistent: false, lockoutOnFailure: true);
            if (result.IsLockedOut) return Back("/account/login", "this account is locked (too many failed attempts: try again in a few minutes; or locked by an admin)");
            if (!result.Succeeded) return Back("/account/login", "wrong user name or password");
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/projects");
        });

        app.MapPost("/account/logout", async ([FromForm] string? unused, SignInManager<IdentityUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/");
        });

        // Scripts (the upload form, API clients) fetch a token here and send it as a header.
        app.MapGet("/api/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            return Results.Ok(new { token = tokens.RequestToken, headerName = tokens.HeaderName });
        });
    }

    private static IResult Back(string page, string error) =>
        Results.LocalRedirect($"{page}{(page.Contains('?') ? '&' : '?')}error={Uri.EscapeDataString(error)}");

    private static bool IsLocal(string? url) => !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\");
}

public sealed record InviteCreateRequest(bool Listener = false);
