using System.Net;
using System.Net.Http.Json;

namespace StemGen.Web.Tests;

/// <summary>The rate limiter on sign-in, registration, uploads and job requests: 429 with Retry-After, per address and per user.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly StudioFactory factory = new(settings: new Dictionary<string, string>
    {
        ["RateLimits:SignInsPerMinute"] = "3", ["RateLimits:RegistrationsPerHour"] = "3",
        ["RateLimits:UploadsPerMinute"] = "2", ["RateLimits:JobsPerMinute"] = "2",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange(int.Parse(response.Headers.GetValues("Retry-After").Single()), 1, 3600);
        Assert.Contains("too many requests", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Registrations_and_sign_ins_from_one_address_are_limited()
    {
        var first = await factory.RegisterAsync("rl-one");
        await factory.RegisterAsync("rl-two");
        await factory.RegisterAsync("rl-three");
        await AssertLimitedAsync(await factory.NewClient().RegisterAsync("rl-four", "secret123"));

        var guesser = factory.NewClient();
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Redirect, (await guesser.LoginAsync("rl-one", $"guess{i}xx1")).StatusCode);
        await AssertLimitedAsync(await guesser.LoginAsync("rl-one", "secret123"));
        Assert.Equal(HttpStatusCode.OK, (await first.Http.GetAsync("/api/projects")).StatusCode); // signed-in users are not affected
    }

    [Fact]
    public async Task Uploads_and_job_requests_are_limited_per_user()
    {
        var busy = await factory.RegisterAsync("rl-busy");
        var calm = await factory.RegisterAsync("rl-calm");
        var projectId = await busy.CreateProjectAsync("Busy");
        var calmProject = await calm.CreateProjectAsync("Calm");
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await busy.UploadAsync(projectId, ($"s{i}.wav", TestAudio.Wav(0.2, 200 + i)))).StatusCode);
        await AssertLimitedAsync(await busy.UploadAsync(projectId, ("s3.wav", TestAudio.Wav(0.2, 300))));
        Assert.Equal(HttpStatusCode.OK, (await calm.UploadAsync(calmProject, ("c.wav", TestAudio.Wav(0.2)))).StatusCode);

        for (var i = 0; i < 2; i++) Assert.NotEqual(HttpStatusCode.TooManyRequests, (await busy.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", new { })).StatusCode);
        await AssertLimitedAsync(await busy.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", new { }));
    }

    [Fact]
    public async Task Click_tracks_count_as_uploads_and_tempo_estimates_and_mixes_as_job_requests()
    {
        var user = await factory.RegisterAsync("rl-clicker");
        var projectId = await user.CreateProjectAsync("Clicks");
        for (var i = 0; i < 2; i++) Assert.NotEqual(HttpStatusCode.TooManyRequests, (await user.Http.PostAsync($"/api/projects/{projectId}/click", null)).StatusCode);
        await AssertLimitedAsync(await user.Http.PostAsync($"/api/projects/{projectId}/click", null));
        await AssertLimitedAsync(await user.UploadAsync(projectId, ("late.wav", TestAudio.Wav(0.2))));

        var other = await factory.RegisterAsync("rl-mixer");
        var otherProject = await other.CreateProjectAsync("Mixes");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await other.Http.PostAsync($"/api/projects/{otherProject}/tempo/estimate", null)).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await other.Http.PostAsJsonAsync($"/api/projects/{otherProject}/mix", new { format = "wav" })).StatusCode);
        await AssertLimitedAsync(await other.Http.PostAsJsonAsync($"/api/projects/{otherProject}/mix", new { format = "wav" }));
        await AssertLimitedAsync(await other.Http.PostAsync($"/api/projects/{otherProject}/tempo/estimate", null));
    }
}
