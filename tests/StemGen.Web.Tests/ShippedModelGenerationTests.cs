using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Audio;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Hubs;

namespace StemGen.Web.Tests;

/// <summary>
/// The whole product path with no stand-in: the studio's own generator factory loads the shipped
/// codec and tiny model, a job generates a bass for two uploaded stems, progress arrives live, the
/// candidate is accepted as a stem.
/// </summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
public sealed class ShippedModelGenerationTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly StudioFactory factory = new(shippedModel: true);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    [Fact]
    public async Task A_job_runs_the_shipped_tiny_model_end_to_end()
    {
        var owner = await factory.RegisterAsync("producer");
        var projectId = await owner.CreateProjectAsync("Real model");
        Assert.Equal(HttpStatusCode.OK, (await owner.UploadAsync(projectId,
            ("keys.wav", TestAudio.Wav(2.0, 261.6)), ("lead.flac", TestAudio.Wav(2.0, 392.0, extension: ".flac")))).StatusCode);
        var stemIds = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().Select(s => s.GetProperty("id").GetInt32()).ToList();

        var seen = new ConcurrentQueue<JobProgressEvent>();
        DateTime? firstStep = null;
        using var subscription = await factory.Services.GetRequiredService<ProjectEvents>().SubscribeAsync(projectId, await PrincipalAsync("producer"), e =>
        {
            if (e is JobProgressEvent p) seen.Enqueue(p);
            if (e is JobProgressEvent { Percent: > 0 }) firstStep ??= DateTime.UtcNow;
            return Task.CompletedTask;
        });
        var enqueued = DateTime.UtcNow;

        var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs",
            new { contextStemIds = stemIds, category = "Bass", preset = "fast", seed = 7 }, StudioClient.Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        var job = await GenerationTests.WaitForJobAsync(owner, projectId, jobId, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed", seconds: 300);
        Assert.True(job.GetProperty("state").GetString() == "Succeeded", job.ToString());
        Assert.StartsWith("CPU (", job.GetProperty("device").GetString());
        output.WriteLine($"embedded: enqueue to first progress {(firstStep!.Value - enqueued).TotalSeconds:0.00} s");

        // The "fast" preset's 16 + 8 + 4 + 4 steps reported from the first level to the last
        // (pages get at most ten a second, so a quick level may pass unseen).
        var running = seen.Where(e => e.JobId == jobId && e.State == TaskState.Running && e.Percent > 0).ToList();
        Assert.Contains(running, e => e.Level == 0);
        Assert.Contains(running, e => e.Level == 3);
        Assert.Equal(running.Select(p => p.Percent).Order(), running.Select(p => p.Percent));
        Assert.Equal(100, running[^1].Percent);

        // The candidate is model output at the context's rate and length: finite, audible, no clipping.
        var candidateId = job.GetProperty("candidates")[0].GetProperty("id").GetInt32();
        var path = Path.Combine(Path.GetTempPath(), $"candidate-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(path, await owner.Http.GetByteArrayAsync($"/api/projects/{projectId}/candidates/{candidateId}/audio"));
        var audio = AudioFile.Read(path);
        File.Delete(path);
        Assert.Equal((16000, 32000), (audio.SampleRate, audio.Frames));
        Assert.All(audio.Channel(0).ToArray(), s => Assert.True(float.IsFinite(s)));
        Assert.InRange(audio.Peak(), 1e-3f, 1.0f);

        var accept = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/candidates/{candidateId}/accept", new { name = "Generated bass" });
        Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
        var stems = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().ToList();
        Assert.Equal(("Generated bass", "Bass"), (stems[^1].GetProperty("name").GetString(), stems[^1].GetProperty("category").GetString()));
    }

    private async Task<ClaimsPrincipal> PrincipalAsync(string userName)
    {
        using var scope = factory.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByNameAsync(userName);
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user!.Id)], "test"));
    }
}
