using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Audio;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Hubs;

namespace StemGen.Web.Tests;

/// <remarks>Runs on SQLite and on PostgreSQL (the nested <see cref="Sqlite"/> and <see cref="Postgres"/> classes).</remarks>
public abstract class GenerationTests(TestDatabase database) : IAsyncLifetime
{
    private readonly StudioFactory factory = new(database: database);
    private StudioClient owner = null!;
    private int projectId;
    private List<int> stemIds = [];

    public async Task InitializeAsync()
    {
        owner = await factory.RegisterAsync("composer");
        projectId = await owner.CreateProjectAsync("Generation");
        var upload = await owner.UploadAsync(projectId, ("drums.wav", TestAudio.Wav(1.5, 220)), ("keys.wav", TestAudio.Wav(1.0, 330)));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        stemIds = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().Select(s => s.GetProperty("id").GetInt32()).ToList();
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    internal static async Task<JsonElement> WaitForJobAsync(StudioClient client, int projectId, int jobId, Func<JsonElement, bool> done, int seconds = 30)
    {
        return await Poll.UntilAsync(() => client.GetJsonAsync($"/api/projects/{projectId}/jobs/{jobId}"), done, seconds, $"job {jobId} stuck", intervalMs: 50);
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(string userName)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>();
        var user = await users.FindByNameAsync(userName);
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user!.Id)], "test"));
    }

    [Fact]
    public async Task Generates_with_live_progress_and_the_result_can_be_accepted()
    {
        var events = factory.Services.GetRequiredService<ProjectEvents>();
        var seen = new ConcurrentQueue<JobProgressEvent>();
        using var subscription = await events.SubscribeAsync(projectId, await PrincipalAsync("composer"), e =>
        {
            if (e is JobProgressEvent p) seen.Enqueue(p);
            return Task.CompletedTask;
        });
        Assert.NotNull(subscription);

        var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs",
            new { contextStemIds = stemIds, category = "Bass", preset = "fast", variations = 2 }, StudioClient.Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var job = await WaitForJobAsync(owner, projectId, jobId, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed");
        Assert.Equal("Succeeded", job.GetProperty("state").GetString());
        Assert.Equal(100, job.GetProperty("percent").GetDouble());
        Assert.Equal("test tone generator (CPU) on studio", job.GetProperty("device").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());

        // Progress reached open pages while it ran: increasing percentages, levels 0..3, ending at 100 %.
        await Task.Delay(100);
        var progress = seen.Where(e => e.JobId == jobId && e.State == TaskState.Running && e.Percent > 0).ToList();
        Assert.True(progress.Count >= 3, $"only {progress.Count} progress events");
        Assert.Equal(progress.Select(p => p.Percent).Order(), progress.Select(p => p.Percent));
        Assert.Equal(100, progress[^1].Percent);
        Assert.Equal(ToneStemGenerator.Levels - 1, progress[^1].Level);
        Assert.Contains(seen, e => e.JobId == jobId && e.State == TaskState.Succeeded);

        var candidates = job.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(2, candidates.Count);
        var candidateId = candidates[0].GetProperty("id").GetInt32();

        // The candidate is real audio at the context's rate and (longest) length, at the category's pitch.
        var wav = await owner.Http.GetByteArrayAsync($"/api/projects/{projectId}/candidates/{candidateId}/audio");
        var path = Path.Combine(Path.GetTempPath(), $"candidate-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(path, wav);
        var audio = AudioFile.Read(path);
        File.Delete(path);
        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(24000, audio.Frames);
        // Stored loudness-matched: the context mix's loudness minus 6 LU (GeneratedLevelTests has the rule's cases).
        Assert.Equal(LoudnessMatch.TargetLufs(await GeneratedLevelTests.ContextLufsAsync(owner, projectId, stemIds)), Loudness.Integrated(audio), 1);

        var accept = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/candidates/{candidateId}/accept", new { name = "New bass" });
        Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
        var stems = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().ToList();
        Assert.Equal(3, stems.Count);
        Assert.Equal("New bass", stems[2].GetProperty("name").GetString());
        Assert.Equal("Bass", stems[2].GetProperty("category").GetString());
        Assert.Equal(jobId, stems[2].GetProperty("sourceJobId").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/candidates/{candidateId}/accept", new { })).StatusCode);

        // Iterative composition: the accepted stem is a context for the next generation.
        var next = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs",
            new { contextStemIds = new[] { stems[2].GetProperty("id").GetInt32() }, category = "Drums", preset = "fast" }, StudioClient.Json);
        var nextId = (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        Assert.Equal("Succeeded", (await WaitForJobAsync(owner, projectId, nextId, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed")).GetProperty("state").GetString());

        var other = candidates[1].GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.PostAsync($"/api/projects/{projectId}/candidates/{other}/discard", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/projects/{projectId}/candidates/{other}/audio")).StatusCode);
    }

    [Fact]
    public async Task Sampling_settings_reach_the_generator_and_every_job_gets_a_reproducible_seed()
    {
        async Task<JsonElement> RunAsync(object body)
        {
            var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", body, StudioClient.Json);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
            return await WaitForJobAsync(owner, projectId, id, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed");
        }
        ulong SeedOf(JsonElement job) => JsonDocument.Parse(job.GetProperty("parametersJson").GetString()!).RootElement.GetProperty("Seed").GetUInt64();

        var tuned = await RunAsync(new { contextStemIds = stemIds, category = "Bass", preset = "best", contextGuidance = 2.0, categoryGuidance = 1.0, temperature = 0.8, seed = 42 });
        var sampling = factory.Generator.LastRequest!.Sampling;
        Assert.Equal((2.0, 1.0, 0.8, 42UL), (sampling.Guidance.ContextScale, sampling.Guidance.CategoryScale, sampling.Temperature, sampling.Seed));
        Assert.Equal(42UL, SeedOf(tuned));

        // No seed given: one is drawn and stored, so two clicks give two different stems and a rerun the same one.
        var first = SeedOf(await RunAsync(new { contextStemIds = stemIds, category = "Bass" }));
        Assert.Equal(first, factory.Generator.LastRequest!.Sampling.Seed);
        var second = SeedOf(await RunAsync(new { contextStemIds = stemIds, category = "Bass" }));
        Assert.NotEqual(first, second);

        Assert.Contains("lambda_a", await (await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs",
            new { contextStemIds = stemIds, category = "Bass", contextGuidance = -1.0 }, StudioClient.Json)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_region_of_a_kept_stem_is_regenerated_bad_regions_are_refused_and_the_part_can_replace_the_track()
    {
        // stemIds: drums 1.5 s, keys 1.0 s (16 kHz). Regenerate 0.2-0.6 s of the keys over the drums.
        var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs",
            new { contextStemIds = new[] { stemIds[0] }, category = "Piano", regionStart = 0.2, regionEnd = 0.6, existingStemId = stemIds[1] }, StudioClient.Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        Assert.Equal("Succeeded", (await WaitForJobAsync(owner, projectId, id, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed")).GetProperty("state").GetString());
        var request = factory.Generator.LastRequest!;
        Assert.Equal(new StemGen.Model.Generation.TimeRegion(0.2, 0.6), request.Region);
        // The 1.0 s stem comes padded with silence to the 1.5 s context, its first second intact.
        Assert.Equal((24000, 16000), (request.ExistingStem!.Frames, request.ExistingStem.SampleRate));
        Assert.Contains(request.ExistingStem.Channel(0)[..16000].ToArray(), v => v != 0);
        Assert.All(request.ExistingStem.Channel(0)[16000..].ToArray(), v => Assert.Equal(0f, v));

        async Task<string> Refused(object body)
        {
            var r = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", body, StudioClient.Json);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            return await r.Content.ReadAsStringAsync();
        }
        Assert.Contains("both its start and its end", await Refused(new { contextStemIds = stemIds, category = "Bass", regionStart = 0.5 }));
        Assert.Contains("is empty", await Refused(new { contextStemIds = stemIds, category = "Bass", regionStart = 0.5, regionEnd = 0.5 }));
        Assert.Contains("after the end of the 1.5 s context", await Refused(new { contextStemIds = stemIds, category = "Bass", regionStart = 1.0, regionEnd = 2.0 }));
        Assert.Contains("choose the region", await Refused(new { contextStemIds = new[] { stemIds[0] }, category = "Bass", existingStemId = stemIds[1] }));
        Assert.Contains("cannot also be a context stem", await Refused(new { contextStemIds = stemIds, category = "Bass", regionStart = 0.1, regionEnd = 0.5, existingStemId = stemIds[1] }));
        Assert.Contains("longer than the 1 s context", await Refused(new { contextStemIds = new[] { stemIds[1] }, category = "Bass", regionStart = 0.1, regionEnd = 0.5, existingStemId = stemIds[0] }));
        Assert.Contains("not in this project", await Refused(new { contextStemIds = new[] { stemIds[0] }, category = "Bass", regionStart = 0.1, regionEnd = 0.5, existingStemId = 9999 }));

        // Keeping the part in place: the keys track itself now holds the candidate's audio (the context's 1.5 s), no new track.
        var job = await owner.GetJsonAsync($"/api/projects/{projectId}/jobs/{id}");
        var candidateId = job.GetProperty("candidates")[0].GetProperty("id").GetInt32();
        var candidateAudio = await owner.Http.GetByteArrayAsync($"/api/projects/{projectId}/candidates/{candidateId}/audio");
        var replaced = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/candidates/{candidateId}/accept", new { replace = true });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(stemIds[1], (await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
        var stems = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().ToList();
        Assert.Equal(2, stems.Count);
        var keys = stems.Single(s => s.GetProperty("id").GetInt32() == stemIds[1]);
        Assert.Equal((1.5, id), (keys.GetProperty("durationSeconds").GetDouble(), keys.GetProperty("sourceJobId").GetInt32()));
        Assert.Equal(candidateAudio, await owner.Http.GetByteArrayAsync($"/api/projects/{projectId}/stems/{stemIds[1]}/audio"));

        // A new stem (no track repaired) cannot replace anything.
        var plain = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", new { contextStemIds = new[] { stemIds[0] }, category = "Bass" }, StudioClient.Json);
        var plainId = (await plain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var plainJob = await WaitForJobAsync(owner, projectId, plainId, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed");
        var notReplaced = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/candidates/{plainJob.GetProperty("candidates")[0].GetProperty("id").GetInt32()}/accept", new { replace = true });
        Assert.Equal(HttpStatusCode.BadRequest, notReplaced.StatusCode);
        Assert.Contains("only a regenerated part of a track can replace it", await notReplaced.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Failures_show_their_reason()
    {
        var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs",
            new { contextStemIds = stemIds, category = "SoundEffects" }, StudioClient.Json);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var job = await WaitForJobAsync(owner, projectId, jobId, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed");
        Assert.Equal("Failed", job.GetProperty("state").GetString());
        Assert.Equal("the test generator refuses Sound Effects", job.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Bad_requests_are_refused_before_a_job_exists()
    {
        async Task<string> Refused(object body)
        {
            var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", body, StudioClient.Json);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }
        Assert.Contains("at least one context stem", await Refused(new { contextStemIds = Array.Empty<int>(), category = "Bass" }));
        Assert.Contains("not in this project", await Refused(new { contextStemIds = new[] { 9999 }, category = "Bass" }));
        Assert.Contains("variations must be 1 to", await Refused(new { contextStemIds = stemIds, category = "Bass", variations = 50 }));
        Assert.Contains("unknown preset", await Refused(new { contextStemIds = stemIds, category = "Bass", preset = "loud" }));
        Assert.Equal(0, (await owner.GetJsonAsync($"/api/projects/{projectId}/jobs")).GetArrayLength());
    }

    [Fact]
    public async Task Running_and_queued_jobs_can_be_cancelled()
    {
        using var gate = new SemaphoreSlim(0);
        factory.Generator.Gate = gate;
        async Task<int> Start()
        {
            var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", new { contextStemIds = stemIds, category = "Piano" }, StudioClient.Json);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        }
        var running = await Start();
        var queued = await Start();
        await WaitForJobAsync(owner, projectId, running, j => j.GetProperty("state").GetString() == "Running");

        Assert.Equal(HttpStatusCode.Accepted, (await owner.Http.PostAsync($"/api/projects/{projectId}/jobs/{queued}/cancel", null)).StatusCode);
        Assert.Equal("Cancelled", (await owner.GetJsonAsync($"/api/projects/{projectId}/jobs/{queued}")).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await owner.Http.PostAsync($"/api/projects/{projectId}/jobs/{running}/cancel", null)).StatusCode);
        var job = await WaitForJobAsync(owner, projectId, running, j => j.GetProperty("state").GetString() != "Running");
        Assert.Equal("Cancelled", job.GetProperty("state").GetString());
        Assert.Empty(job.GetProperty("candidates").EnumerateArray());
        Assert.Equal(HttpStatusCode.Conflict, (await owner.Http.PostAsync($"/api/projects/{projectId}/jobs/{running}/cancel", null)).StatusCode);
        factory.Generator.Gate = null;
    }

    public sealed class Sqlite() : GenerationTests(TestDatabase.Sqlite);

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class Postgres(PostgresServer server) : GenerationTests(server.NewDatabase());
}
