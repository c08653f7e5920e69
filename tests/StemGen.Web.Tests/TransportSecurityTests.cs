using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using StemGen.Web.Security;

namespace StemGen.Web.Tests;

/// <summary>
/// Transport and browser headers: forwarded headers believed from the configured proxy only (then the
/// studio sees HTTPS: Secure cookies, HSTS), the content security policy and the other headers on every
/// page, the data-protection keys in a folder only the service user can read, and no placeholder worker keys.
/// </summary>
public sealed class TransportSecurityTests : IAsyncLifetime
{
    private const string Proxy = "10.0.0.5";
    private readonly StudioFactory factory = new(settings: new Dictionary<string, string>
    { ["Security:KnownProxies:0"] = Proxy, ["environment"] = "Production" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    /// <summary>GET /account/login as it arrives from <paramref name="from"/>, saying the client spoke HTTPS.</summary>
    private Task<HttpContext> ThroughProxyAsync(string from) => factory.Server.SendAsync(context =>
    {
        context.Connection.RemoteIpAddress = IPAddress.Parse(from);
        context.Request.Method = "GET";
        context.Request.Path = "/account/login";
        context.Request.Host = new HostString("studio.example.org");
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Forwarded-For"] = "203.0.113.7";
    });

    [Fact]
    public async Task Behind_the_known_proxy_the_studio_sees_https_marks_cookies_secure_and_sends_hsts()
    {
        var proxied = await ThroughProxyAsync(Proxy);
        Assert.Equal(200, proxied.Response.StatusCode);
        Assert.StartsWith("max-age=31536000", proxied.Response.Headers.StrictTransportSecurity.ToString());
        Assert.Contains("secure", proxied.Response.Headers.SetCookie.ToString(), StringComparison.OrdinalIgnoreCase); // the anti-forgery cookie

        var spoofed = await ThroughProxyAsync("10.0.0.9"); // anyone else claiming HTTPS is not believed
        Assert.Equal(0, spoofed.Response.Headers.StrictTransportSecurity.Count);
        Assert.DoesNotContain("secure", spoofed.Response.Headers.SetCookie.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/projects")]
    [InlineData("/css/studio.css")]
    [InlineData("/api/projects")]
    public async Task Every_response_carries_the_content_security_policy_and_browser_headers(string url)
    {
        var response = await factory.NewClient().Http.GetAsync(url);
        Assert.Equal(WebSecurity.ContentSecurityPolicy, string.Join("", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("frame-ancestors 'none'", WebSecurity.ContentSecurityPolicy);
        Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", string.Join("", response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("same-origin", string.Join("", response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Data_protection_keys_live_in_a_folder_only_the_service_user_can_read()
    {
        await factory.RegisterAsync("keyholder"); // signing in needs a key
        var keys = new DirectoryInfo(Path.Combine(factory.DataDirectory, "keys"));
        Assert.NotEmpty(keys.GetFiles("key-*.xml"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, keys.UnixFileMode);

        Directory.CreateDirectory(Path.Combine(factory.DataDirectory, "opened"));
        File.SetUnixFileMode(Path.Combine(factory.DataDirectory, "opened"), (UnixFileMode)0b111_101_101);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            WebSecurity.KeysFolder(Path.Combine(factory.DataDirectory, "opened")).UnixFileMode); // an existing folder is narrowed
    }

    [Theory]
    [InlineData("CHANGE-ME")]
    [InlineData("CHANGE-ME-openssl-rand-hex-32-000000")]
    [InlineData("short-key")]
    public async Task The_studio_refuses_to_start_with_a_placeholder_or_short_worker_key(string key)
    {
        await using var studio = new StudioFactory(settings: new Dictionary<string, string> { ["Jobs:WorkerKeys:0"] = "a-real-key-0123456789abcdef0123456789", ["Jobs:WorkerKeys:1"] = key });
        var refused = Assert.ThrowsAny<Exception>(() => studio.Services);
        Assert.Contains("Jobs:WorkerKeys:1", refused.ToString());
        Assert.DoesNotContain("Jobs:WorkerKeys:0", refused.Message);
        studio.DeleteData();
    }
}
