using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;
using StemGen.Web.Hubs;
using StemGen.Web.Events;

namespace StemGen.Web.Tests.Hostile;

/// <summary>
/// A stranger's attacks on a studio open to the internet, one test per attack, each against the real
/// studio (in-memory TestServer over its own data folder): the test does what the attacker would, and
/// asserts the studio refuses or survives it. The functional tests of the same features live beside
/// the features (UserRolesTests, RegistrationTests, DownloadTests, BlobTests, TransportSecurityTests...).
/// </summary>
public sealed class HostileUserTests : IAsyncLifetime
{
    private readonly StudioFactory factory = new(settings: new Dictionary<string, string>
    {
        ["Studio:Admins:0"] = "the-admin", ["Studio:Admins:1"] = "Future-Admin", ["Studio:RevalidateSeconds"] = "0",
        ["Studio:BlobGraceMinutes"] = "0", // deletion trusts only the references, not the grace of a recent upload
    })
    { CreateAdmins = false };

    public async Task InitializeAsync()
    {
        TestDatasets.Write(Path.Combine(factory.DataDirectory, "datasets"), "tiny");
        // The operator made the first admin with the command; "future-admin" is named but has no account yet.
        Assert.Equal(0, await AdminCommand.RunAsync(factory.Services, ["create", "the-admin"], TextWriter.Null));
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var admin = (await users.FindByNameAsync("the-admin"))!;
        await users.RemovePasswordAsync(admin);
        await users.AddPasswordAsync(admin, "secret123");
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    private Task<string> IdOfAsync(string name) => WithAsync(async s => (await s.GetRequiredService<UserManager<IdentityUser>>().FindByNameAsync(name))!.Id);

    [Fact]
    public async Task Registering_the_configured_admins_name_gives_no_admin()
    {
        var response = await factory.NewClient().RegisterAsync("FUTURE-admin", "secret123");
        Assert.Contains("already taken", Uri.UnescapeDataString(response.Headers.Location!.OriginalString));
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByNameAsync("future-admin"));
        await scope.ServiceProvider.GetRequiredService<UserRoles>().GrantConfiguredAdminsAsync(); // what a restart does
        Assert.DoesNotContain((await scope.ServiceProvider.GetRequiredService<UserRoles>().ListAsync()), u => u.Admin && u.UserName != "the-admin");
    }

    [Fact]
    public async Task A_revoked_admins_open_page_cannot_grant_the_role_back()
    {
        var rogue = await factory.RegisterAsync("rogue");
        var (admin, rogueId) = (await IdOfAsync("the-admin"), await IdOfAsync("rogue"));
        await WithAsync(async s => { await s.GetRequiredService<UserRoles>().SetAsync(admin, rogueId, Roles.Admin, member: true); return 0; });
        await WithAsync(async s => { await s.GetRequiredService<UserRoles>().SetAsync(admin, rogueId, Roles.Admin, member: false); return 0; });

        // The page left open still holds the rogue's id and calls the same service the switches call.
        var refused = await Assert.ThrowsAsync<StudioValidationException>(() =>
            WithAsync(async s => { await s.GetRequiredService<UserRoles>().SetAsync(rogueId, rogueId, Roles.Admin, member: true); return 0; }));
        Assert.Contains("no longer an admin", refused.Message);
        Assert.False((await WithAsync(s => s.GetRequiredService<UserRoles>().ListAsync())).Single(u => u.UserName == "rogue").Admin);
        Assert.Equal(HttpStatusCode.Unauthorized, (await rogue.Http.GetAsync("/api/projects")).StatusCode); // and the old cookie is void
    }

    [Fact]
    public async Task A_member_removed_from_a_project_stops_receiving_its_live_events()
    {
        var owner = await factory.RegisterAsync("owner");
        await factory.RegisterAsync("ex-member");
        var projectId = await owner.CreateProjectAsync("Private");
        Assert.True((await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { userName = "ex-member", role = "Viewer" }, StudioClient.Json)).IsSuccessStatusCode);
        using var spy = await HubTests.ConnectAsync(factory, await HubTests.LoginCookieAsync(factory, "ex-member"));
        await HubTests.SendAsync(spy, new { type = 1, invocationId = "1", target = "JoinProject", arguments = new[] { projectId } });
        Assert.False((await HubTests.ReceiveAsync(spy)).TryGetProperty("error", out _));
        var events = factory.Services.GetRequiredService<ProjectEvents>();
        var circuitEvents = 0;
        var principal = await WithAsync(async s => await s.GetRequiredService<SignInManager<IdentityUser>>()
            .CreateUserPrincipalAsync((await s.GetRequiredService<UserManager<IdentityUser>>().FindByNameAsync("ex-member"))!));
        using var page = await events.SubscribeAsync(projectId, principal, _ => { Interlocked.Increment(ref circuitEvents); return Task.CompletedTask; });
        Assert.NotNull(page);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/projects/{projectId}/members/{await IdOfAsync("ex-member")}")).StatusCode);
        using var ownerSocket = await HubTests.ConnectAsync(factory, await HubTests.LoginCookieAsync(factory, "owner"));
        await HubTests.SendAsync(ownerSocket, new { type = 1, invocationId = "1", target = "JoinProject", arguments = new[] { projectId } });
        await HubTests.ReceiveAsync(ownerSocket);
        events.Publish(new ProjectChangedEvent(projectId, "stems"));
        Assert.Equal("changed", (await HubTests.ReceiveAsync(ownerSocket)).GetProperty("target").GetString()); // the event went out
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HubTests.ReceiveAsync(spy, seconds: 1));
        Assert.Equal(0, circuitEvents);
    }

    [Fact]
    public async Task A_zip_of_two_stems_whose_150_character_names_share_100_answers_within_a_second()
    {
        var member = await factory.RegisterAsync("zipper");
        var projectId = await member.CreateProjectAsync("Zip");
        Assert.Equal(HttpStatusCode.OK, (await member.UploadAsync(projectId, ("a.wav", TestAudio.Wav(0.2)), ("b.wav", TestAudio.Wav(0.2, 330)))).StatusCode);
        await member.Http.GetByteArrayAsync($"/api/projects/{projectId}/download"); // warm-up: the first zip of a process pays for loading code
        var shared = new string('n', 100);
        foreach (var (stem, tail) in (await member.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().Zip("ab"))
            Assert.Equal(HttpStatusCode.NoContent, (await member.Http.PatchAsJsonAsync($"/api/projects/{projectId}/stems/{stem.GetProperty("id").GetInt32()}",
                new { name = shared + new string(tail, 50) })).StatusCode);

        using var oneSecond = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var zip = await member.Http.GetByteArrayAsync($"/api/projects/{projectId}/download", oneSecond.Token);
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(zip));
        Assert.Equal([shared + ".wav", new string('n', 96) + " (2).wav"], archive.Entries.Select(e => e.FullName));
    }

    [Fact]
    public async Task A_listener_cannot_delete_a_study_clip_by_uploading_it_to_a_project_and_deleting_the_stem()
    {
        var admin = await factory.SignInAsync("the-admin");
        var studyId = await ListeningTests.CreateStudyAsync(admin, ListeningTests.Design(presets: ["best"], anchor: false, items: 1));
        var listener = await factory.RegisterListenerAsync("clip-thief");
        var session = await (await listener.Http.PostAsync($"/api/listen/studies/{studyId}/session", null)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var clip = session.GetProperty("clips")[0].GetProperty("id").GetString();
        var audio = await listener.Http.GetByteArrayAsync($"/api/listen/clips/{clip}/audio");

        var projectId = await listener.CreateProjectAsync("Mine");
        Assert.Equal(HttpStatusCode.OK, (await listener.UploadAsync(projectId, ("clip.wav", audio))).StatusCode); // deduplicates onto the clip's blob
        var stemId = (await listener.GetJsonAsync($"/api/projects/{projectId}/stems"))[0].GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await listener.Http.DeleteAsync($"/api/projects/{projectId}/stems/{stemId}")).StatusCode);
        await WithAsync(s => s.GetRequiredService<Storage.BlobReferences>().SweepAsync());

        Assert.Equal(audio, await listener.Http.GetByteArrayAsync($"/api/listen/clips/{clip}/audio"));
    }

    [Fact]
    public async Task The_admin_users_page_cannot_be_framed_by_another_site()
    {
        var response = await (await factory.SignInAsync("the-admin")).Http.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("frame-ancestors 'none'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task Audio_at_384_kHz_or_with_8_channels_is_refused_from_its_header_with_the_reason()
    {
        var member = await factory.RegisterAsync("decompression-bomber");
        var projectId = await member.CreateProjectAsync("Bombs");
        var response = await member.UploadAsync(projectId,
            ("ultrasonic.flac", TestAudio.Wav(0.2, sampleRate: 384_000, channels: 1, extension: ".flac")),
            ("surround.wav", TestAudio.Wav(0.2, sampleRate: 48_000, channels: 8)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var refusals = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refusals").EnumerateArray()
            .ToDictionary(r => r.GetProperty("file").GetString()!, r => (Reason: r.GetProperty("reason").GetString(), Message: r.GetProperty("message").GetString()!));
        Assert.Equal("unusable-format", refusals["ultrasonic.flac"].Reason);
        Assert.Contains("sample rate 384000 Hz: the studio takes 8000 to 192000 Hz", refusals["ultrasonic.flac"].Message);
        Assert.Equal("unusable-format", refusals["surround.wav"].Reason);
        Assert.Contains("8 channels: the studio takes mono or stereo", refusals["surround.wav"].Message);
        Assert.Empty((await member.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray());
    }

    [Fact]
    public async Task Stem_names_with_text_direction_or_control_characters_are_refused()
    {
        var member = await factory.RegisterAsync("trickster");
        var projectId = await member.CreateProjectAsync("Tricks");
        Assert.Equal(HttpStatusCode.OK, (await member.UploadAsync(projectId, ("innocent\u202Egnp.wav", TestAudio.Wav(0.2)))).StatusCode);
        var stem = (await member.GetJsonAsync($"/api/projects/{projectId}/stems"))[0];
        Assert.Equal("innocentgnp", stem.GetProperty("name").GetString()); // the upload's name lost the override
        foreach (var name in new[] { "evil\u202Efdp.exe", "bell\u0007", "left\u2066isolate" })
        {
            var renamed = await member.Http.PatchAsJsonAsync($"/api/projects/{projectId}/stems/{stem.GetProperty("id").GetInt32()}", new { name });
            Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
            Assert.Contains("control or text-direction characters", await renamed.Content.ReadAsStringAsync());
        }
    }

    private async Task<(StudioClient Listener, List<string> Clips)> ListenerInStudyAsync(string name)
    {
        var studyId = await ListeningTests.CreateStudyAsync(await factory.SignInAsync("the-admin"), ListeningTests.Design(presets: ["best"], anchor: false, items: 1));
        var listener = await factory.RegisterListenerAsync(name);
        var session = await (await listener.Http.PostAsync($"/api/listen/studies/{studyId}/session", null)).Content.ReadFromJsonAsync<JsonElement>();
        return (listener, session.GetProperty("clips").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList());
    }

    [Fact]
    public async Task Claiming_a_clip_was_played_to_the_end_without_fetching_it_does_not_unlock_rating()
    {
        var (listener, clips) = await ListenerInStudyAsync("lazy-rater");
        Assert.Equal(HttpStatusCode.OK, (await listener.Http.PostAsJsonAsync($"/api/listen/clips/{clips[0]}/playback", new { position = 1e9, ended = true })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await listener.Http.PostAsJsonAsync($"/api/listen/clips/{clips[0]}/rating", new { score = 3 })).StatusCode);

        // Fetching it and rating at once (the page's currentTime moved to the end) is refused too: the studio's clock decides.
        Assert.Equal(HttpStatusCode.OK, (await listener.Http.GetAsync($"/api/listen/clips/{clips[0]}/audio")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await listener.Http.PostAsJsonAsync($"/api/listen/clips/{clips[0]}/rating", new { score = 3 })).StatusCode);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<StudioDbContext>().StudyAssignments.AnyAsync(a => a.Score != null));
    }

    [Fact]
    public async Task A_listener_cannot_download_every_clip_of_a_study_to_pair_them_by_correlation()
    {
        var (listener, clips) = await ListenerInStudyAsync("correlator");
        Assert.Equal(2, clips.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await listener.Http.GetAsync($"/api/listen/clips/{clips[1]}/audio")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await listener.Http.GetAsync($"/api/listen/clips/{clips[0]}/audio")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await listener.Http.GetAsync($"/api/listen/clips/{clips[1]}/audio")).StatusCode); // still: the first is not rated
    }
}
