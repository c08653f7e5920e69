using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Tests;

/// <summary>
/// Every admin page and endpoint, found in the studio's own route table (so one added later is covered without
/// listing it here), against every kind of caller: anonymous gets 401 (pages: a redirect to log in), a collaborator
/// (a project owner without a site role) and a listener get 403 (pages: the "not allowed" page), an admin gets through
/// (whatever the endpoint then answers about the empty studio).
/// </summary>
public sealed partial class AdminAuthorizationTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private enum Caller { Anonymous, Collaborator, Listener, Admin }

    private readonly StudioFactory factory = new(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "az-admin" });
    private readonly Dictionary<Caller, StudioClient> clients = [];

    public async Task InitializeAsync()
    {
        clients[Caller.Admin] = await factory.RegisterAsync("az-admin");
        clients[Caller.Listener] = await factory.RegisterListenerAsync("az-listener");
        var collaborator = await factory.RegisterAsync("az-collaborator"); // a new account has no site role
        await collaborator.CreateProjectAsync("Their song");
        clients[Caller.Collaborator] = collaborator;
        var anonymous = factory.NewClient();
        await anonymous.FetchApiTokenAsync();
        clients[Caller.Anonymous] = anonymous;
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    /// <summary>Each admin route with its methods, route parameters filled in ("1" for numbers, a word otherwise).</summary>
    private List<(HttpMethod Method, string Url, bool Page)> AdminRoutes()
    {
        var routes = new List<(HttpMethod, string, bool)>();
        foreach (var endpoint in factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            if (!pattern.StartsWith("/admin") && !pattern.StartsWith("/api/admin")) continue;
            var url = Parameter().Replace(pattern, m => m.Groups["constraint"].Value is ":int" or ":long" ? "1" : "x");
            var page = !pattern.StartsWith("/api/");
            var methods = page ? ["GET"] : endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            routes.AddRange(methods.Select(m => (new HttpMethod(m), url, page)));
        }
        return routes.Distinct().ToList();
    }

    [GeneratedRegex(@"\{\*?(?<name>\w+)(?<constraint>:\w+)?\??\}")]
    private static partial Regex Parameter();

    [Fact]
    public async Task Every_admin_page_and_endpoint_admits_admins_only()
    {
        var routes = AdminRoutes();
        // The route table is really read: the areas of the admin issue are all there.
        foreach (var expected in new[] { "/admin/models", "/admin/training/1", "/admin/datasets", "/admin/studies", "/admin/users", "/api/admin/models/serve", "/api/admin/models/rollback", "/api/admin/training/1/listening-check", "/admin/evaluations/compare", "/api/admin/evaluations/1/report.csv" })
            Assert.Contains(routes, r => r.Url == expected);
        var failures = new List<string>();
        foreach (var (method, url, page) in routes)
            foreach (var (caller, client) in clients)
            {
                using var request = new HttpRequestMessage(method, url);
                if (method != HttpMethod.Get) request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                using var response = await client.Http.SendAsync(request);
                var location = response.Headers.Location?.OriginalString.Replace("http://localhost", "") ?? "";
                var refused = (caller, page) switch
                {
                    (Caller.Admin, _) => response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                                         || location.StartsWith("/account/login") || location.StartsWith("/account/denied") ? "refused" : null,
                    (Caller.Anonymous, true) => location.StartsWith("/account/login") ? null : "not sent to log in",
                    (Caller.Anonymous, false) => response.StatusCode == HttpStatusCode.Unauthorized ? null : "not 401",
                    (_, true) => location.StartsWith("/account/denied") ? null : "not sent to the not-allowed page",
                    (_, false) => response.StatusCode == HttpStatusCode.Forbidden ? null : "not 403",
                };
                if (refused is not null) failures.Add($"{method} {url} as {caller}: {refused} ({(int)response.StatusCode} {location})");
            }
        output.WriteLine($"{routes.Count} admin routes (pages and endpoints with their methods) x {clients.Count} callers");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
