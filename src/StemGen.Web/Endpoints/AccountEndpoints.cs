using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using StemGen.Web.Data;
using Microsoft.AspNetCore.Mvc;

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
            UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, StemGen.Web.Data.UserRoles roles) =>
        {
            if (password != confirmPassword) return Back("/account/register", "the passwords do not match");
            var user = new IdentityUser { UserName = (userName ?? "").Trim() };
            var created = await users.CreateAsync(user, password ?? "");
            if (!created.Succeeded) return Back("/account/register", string.Join(" ", created.Errors.Select(e => e.Description)));
            await users.AddToRoleAsync(user, Roles.Listener);
            if (roles.IsConfiguredAdmin(user.UserName)) await users.AddToRoleAsync(user, Roles.Admin);
            await signIn.SignInAsync(user, isPersistent: false);
            return Results.LocalRedirect("/projects");
        });

        app.MapPost("/account/login", async ([FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl,
            SignInManager<IdentityUser> signIn) =>
        {
            var result = await signIn.PasswordSignInAsync((userName ?? "").Trim(), password ?? "", isPersistent: false, lockoutOnFailure: true);
            if (result.IsLockedOut) return Back("/account/login", "too many failed attempts; try again in a few minutes");
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

    private static IResult Back(string page, string error) => Results.LocalRedirect($"{page}?error={Uri.EscapeDataString(error)}");

    private static bool IsLocal(string? url) => !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\");
}
