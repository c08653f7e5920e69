using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StemGen.Web.Tests;

/// <summary>Studio:Registration: Open (the embedded default), InviteOnly (invite links from admins and project owners, each for one account), Closed.</summary>
public sealed class RegistrationTests
{
    private static StudioFactory Studio(string mode) =>
        new(settings: new Dictionary<string, string> { ["Studio:Registration"] = mode, ["Studio:Admins:0"] = "reg-admin" });

    private static async Task<string> InviteAsync(StudioClient creator, bool listener = false)
    {
        var response = await creator.Http.PostAsJsonAsync("/api/invites", new { listener });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var link = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("link").GetString()!;
        return Uri.UnescapeDataString(link[(link.IndexOf("invite=", StringComparison.Ordinal) + "invite=".Length)..]);
    }

    private static async Task<HttpResponseMessage> RegisterWithAsync(StudioFactory factory, string userName, string invite) =>
        await factory.NewClient().PostFormAsync($"/account/register?invite={Uri.EscapeDataString(invite)}",
            new() { ["userName"] = userName, ["password"] = "secret123", ["confirmPassword"] = "secret123", ["invite"] = invite });

    private static string Error(HttpResponseMessage response) => Uri.UnescapeDataString(response.Headers.Location!.OriginalString);

    [Fact]
    public async Task Invite_only_needs_a_link_that_works_once_and_only_an_admins_link_makes_a_listener()
    {
        await using var factory = Studio("InviteOnly");
        try
        {
            Assert.Contains("needs an invite link", Error(await PostRegisterAnywayAsync(factory.NewClient(), "walk-in")));
            Assert.Contains("open by invitation", await factory.NewClient().Http.GetStringAsync("/account/register"));

            var admin = await factory.RegisterAsync("reg-admin");
            var listenerInvite = await InviteAsync(admin, listener: true);
            Assert.Equal("/projects", (await RegisterWithAsync(factory, "invited", listenerInvite)).Headers.Location!.OriginalString);
            Assert.Contains("not valid any more", Error(await RegisterWithAsync(factory, "second-use", listenerInvite)));
            Assert.Contains("not valid any more", Error(await RegisterWithAsync(factory, "forger", listenerInvite[..^4] + "AAAA")));
            Assert.Equal(HttpStatusCode.OK, (await (await factory.SignInAsync("invited")).Http.GetAsync("/listen")).StatusCode);

            // A project owner invites collaborators, not listeners; a user who owns nothing invites nobody.
            var owner = await factory.SignInAsync("invited");
            Assert.Equal(HttpStatusCode.BadRequest, (await owner.Http.PostAsJsonAsync("/api/invites", new { listener = false })).StatusCode);
            await owner.CreateProjectAsync("Band");
            Assert.Equal(HttpStatusCode.BadRequest, (await owner.Http.PostAsJsonAsync("/api/invites", new { listener = true })).StatusCode);
            Assert.Equal("/projects", (await RegisterWithAsync(factory, "bandmate", await InviteAsync(owner))).Headers.Location!.OriginalString);
            await AssertDeniedAsync(factory, "/listen", "bandmate");
        }
        finally { factory.DeleteData(); }
    }

    [Fact]
    public async Task Closed_registration_refuses_everyone_and_open_registration_gives_no_role()
    {
        await using (var closed = Studio("Closed"))
        {
            var client = closed.NewClient();
            var html = await client.Http.GetStringAsync("/account/register");
            Assert.Contains("Registration is closed", html);
            Assert.Contains("registration is closed", Error(await PostRegisterAnywayAsync(client, "sneaky")));
            closed.DeleteData();
        }
        await using var open = Studio("Open");
        await open.RegisterAsync("anyone");
        await AssertDeniedAsync(open, "/listen", "anyone");
        open.DeleteData();
    }

    /// <summary>A script posts the registration form though the page shows none (the anti-forgery token taken from the login page).</summary>
    private static async Task<HttpResponseMessage> PostRegisterAnywayAsync(StudioClient client, string userName)
    {
        var html = await client.Http.GetStringAsync("/account/login");
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.Http.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = userName, ["password"] = "secret123", ["confirmPassword"] = "secret123", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
    }

    /// <summary>The user, signed in, is sent to the "not allowed" page (no Listener role).</summary>
    private static async Task AssertDeniedAsync(StudioFactory factory, string page, string userName)
    {
        var response = await (await factory.SignInAsync(userName)).Http.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/denied", response.Headers.Location!.OriginalString);
    }
}
