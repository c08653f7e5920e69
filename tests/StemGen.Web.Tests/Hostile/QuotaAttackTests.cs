using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StemGen.Web.Tests.Hostile;

/// <summary>
/// One account trying to take the studio for itself (finding 5): more queued generations than its share, more storage
/// than its quota, and a generation backlog in front of the admins' tasks. The quotas are shown before they are reached.
/// </summary>
public sealed class QuotaAttackTests : IAsyncLifetime
{
    private const int MaxQueued = 2;
    private readonly StudioFactory factory = new(settings: new Dictionary<string, string>
    {
        ["Studio:Admins:0"] = "q-admin", ["Quotas:MaxQueuedJobsPerUser"] = MaxQueued.ToString(),
        ["Quotas:MaxStoredBytesPerUser"] = (TestAudio.Wav(0.5).Length + 1000).ToString(),
    });
    private StudioClient hog = null!;
    private int projectId, stemId;

    public async Task InitializeAsync()
    {
        hog = await factory.RegisterAsync("hog");
        projectId = await hog.CreateProjectAsync("Mine");
        Assert.Equal(HttpStatusCode.OK, (await hog.UploadAsync(projectId, ("drums.wav", TestAudio.Wav(0.5)))).StatusCode);
        stemId = (await hog.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().Single().GetProperty("id").GetInt32();
    }

    public async Task DisposeAsync()
    {
        factory.Generator.Gate = null;
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private static Task<HttpResponseMessage> GenerateAsync(StudioClient client, int project, int stem) =>
        client.Http.PostAsJsonAsync($"/api/projects/{project}/jobs", new { contextStemIds = new[] { stem }, category = "Bass", preset = "fast" }, StudioClient.Json);

    [Fact]
    public async Task One_account_cannot_queue_more_generations_than_its_quota_and_sees_the_quota_first()
    {
        using var gate = new SemaphoreSlim(0);
        factory.Generator.Gate = gate; // nothing finishes while the hog queues
        var before = await hog.GetJsonAsync("/api/me/quotas");
        Assert.Equal(0, before.GetProperty("queuedJobs").GetInt32());
        Assert.Equal(MaxQueued, before.GetProperty("maxQueuedJobs").GetInt32());
        Assert.Equal(4, before.GetProperty("maxVariationsPerJob").GetInt32());

        for (var i = 0; i < MaxQueued; i++) Assert.Equal(HttpStatusCode.Accepted, (await GenerateAsync(hog, projectId, stemId)).StatusCode);
        var refused = await GenerateAsync(hog, projectId, stemId);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("queued or running", await refused.Content.ReadAsStringAsync());
        Assert.Equal(MaxQueued, (await hog.GetJsonAsync("/api/me/quotas")).GetProperty("queuedJobs").GetInt32());
        var tooMany = await hog.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", new { contextStemIds = new[] { stemId }, category = "Bass", variations = 5 }, StudioClient.Json);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);

        // Someone else still gets their first job queued.
        var other = await factory.RegisterAsync("other");
        var theirs = await other.CreateProjectAsync("Theirs");
        Assert.Equal(HttpStatusCode.OK, (await other.UploadAsync(theirs, ("keys.wav", TestAudio.Wav(0.2, 330)))).StatusCode);
        var theirStem = (await other.GetJsonAsync($"/api/projects/{theirs}/stems")).EnumerateArray().Single().GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.Accepted, (await GenerateAsync(other, theirs, theirStem)).StatusCode);
        factory.Generator.Gate = null;
        gate.Release(10);
    }

    [Fact]
    public async Task One_account_cannot_store_more_than_its_quota()
    {
        var refused = await hog.UploadAsync(projectId, ("more.wav", TestAudio.Wav(0.2, 330)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("delete stems or projects first", await refused.Content.ReadAsStringAsync());
        Assert.Single((await hog.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray());
        var quotas = await hog.GetJsonAsync("/api/me/quotas");
        Assert.Equal(TestAudio.Wav(0.5).Length, quotas.GetProperty("storedBytes").GetInt64());
    }

    [Fact]
    public async Task A_generation_backlog_does_not_hold_the_admins_tasks()
    {
        using var gate = new SemaphoreSlim(0);
        factory.Generator.Gate = gate; // the hog's generation runs and never ends while the admin works
        var response = await GenerateAsync(hog, projectId, stemId);
        var job = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await GenerationTests.WaitForJobAsync(hog, projectId, job, j => j.GetProperty("state").GetString() == "Running");

        var admin = await factory.SignInAsync("q-admin");
        var task = await admin.Http.PostAsJsonAsync("/api/admin/datasets/synthesize", new { output = "synth-fair", hours = 0.005, seed = 3, style = "listening" });
        Assert.True(task.StatusCode == HttpStatusCode.Created, await task.Content.ReadAsStringAsync());
        var id = (await task.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        string? state;
        do
        {
            await Task.Delay(200);
            state = (await admin.GetJsonAsync($"/api/admin/datasets/tasks/{id}")).GetProperty("state").GetString();
        } while (state is "Queued" or "Running" && DateTime.UtcNow < deadline);
        Assert.Equal("Succeeded", state);
        Assert.Equal("Running", (await hog.GetJsonAsync($"/api/projects/{projectId}/jobs/{job}")).GetProperty("state").GetString()); // still held
        factory.Generator.Gate = null;
        gate.Release(10);
    }
}
