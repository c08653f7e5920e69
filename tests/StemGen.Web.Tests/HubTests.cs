using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Events;
using StemGen.Web.Hubs;

namespace StemGen.Web.Tests;

/// <summary>
/// The SignalR hub, spoken to in its JSON protocol over a raw WebSocket (the .NET SignalR client is
/// not served here): joining a project's group checks membership, and members get its events.
/// </summary>
public sealed class HubTests : IAsyncLifetime
{
    private const char RecordSeparator = '\u001e';
    private readonly StudioFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    /// <summary>Logs in through the form by hand and returns the cookie header (the WebSocket client has no cookie jar).</summary>
    private Task<string> LoginCookieAsync(string userName) => LoginCookieAsync(factory, userName);

    internal static async Task<string> LoginCookieAsync(StudioFactory factory, string userName)
    {
        var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var form = await http.GetAsync("/account/login");
        var cookies = form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        var token = Regex.Match(await form.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            { ["userName"] = userName, ["password"] = "secret123", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) }),
        };
        post.Headers.Add("Cookie", string.Join("; ", cookies));
        var login = await http.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
    }

    private Task<WebSocket> ConnectAsync(string cookie) => ConnectAsync(factory, cookie);

    internal static async Task<WebSocket> ConnectAsync(StudioFactory factory, string cookie)
    {
        var client = factory.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers["Cookie"] = cookie;
        var socket = await client.ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/project"), CancellationToken.None);
        await SendAsync(socket, new { protocol = "json", version = 1 });
        var handshake = await ReceiveAsync(socket);
        Assert.False(handshake.TryGetProperty("error", out _), handshake.ToString());
        return socket;
    }

    internal static Task SendAsync(WebSocket socket, object message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message) + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message that is not a ping (TimeoutException after <paramref name="seconds"/>).</summary>
    internal static async Task<JsonElement> ReceiveAsync(WebSocket socket, double seconds = 10)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var text = new StringBuilder();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (!result.EndOfMessage) continue;
            foreach (var record in text.ToString().Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var message = JsonDocument.Parse(record).RootElement;
                if (!message.TryGetProperty("type", out var type) || type.GetInt32() != 6) return message;
            }
            text.Clear();
        }
    }

    [Fact]
    public async Task Joining_needs_membership_and_members_receive_project_events()
    {
        var owner = await factory.RegisterAsync("hub-owner");
        await factory.RegisterAsync("hub-stranger");
        var projectId = await owner.CreateProjectAsync("Live");

        using var stranger = await ConnectAsync(await LoginCookieAsync("hub-stranger"));
        await SendAsync(stranger, new { type = 1, invocationId = "1", target = "JoinProject", arguments = new[] { projectId } });
        var refused = await ReceiveAsync(stranger);
        Assert.Equal(3, refused.GetProperty("type").GetInt32());
        Assert.Contains($"project {projectId} not found", refused.GetProperty("error").GetString());

        using var member = await ConnectAsync(await LoginCookieAsync("hub-owner"));
        await SendAsync(member, new { type = 1, invocationId = "1", target = "JoinProject", arguments = new[] { projectId } });
        var joined = await ReceiveAsync(member);
        Assert.Equal(3, joined.GetProperty("type").GetInt32());
        Assert.False(joined.TryGetProperty("error", out _), joined.ToString());

        factory.Services.GetRequiredService<ProjectEvents>().Publish(new ProjectChangedEvent(projectId, "stems"));
        var pushed = await ReceiveAsync(member);
        Assert.Equal("changed", pushed.GetProperty("target").GetString());
        Assert.Equal(projectId, pushed.GetProperty("arguments")[0].GetProperty("projectId").GetInt32());

        // Anonymous callers cannot even connect.
        var anonymous = factory.Server.CreateWebSocketClient();
        await Assert.ThrowsAnyAsync<Exception>(() => anonymous.ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/project"), CancellationToken.None));
    }
}
