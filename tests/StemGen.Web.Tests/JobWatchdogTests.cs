using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;

namespace StemGen.Web.Tests;

/// <summary>A job whose Hangfire job ended without the runner (deleted in the dashboard) does not stay open on the page.</summary>
public sealed class JobWatchdogTests : IAsyncLifetime
{
    private readonly SemaphoreSlim gate = new(0);
    private readonly StudioFactory factory;

    public JobWatchdogTests() => factory = new StudioFactory(generator: new ToneStemGenerator { Gate = gate },
        settings: new Dictionary<string, string> { ["Jobs:WatchdogIntervalSeconds"] = "0.2" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        gate.Release(10);
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    [Fact]
    public async Task A_job_deleted_from_the_queue_ends_failed_with_that_reason_and_the_others_go_on()
    {
        var owner = await factory.RegisterAsync("watcher");
        var projectId = await owner.CreateProjectAsync("Watched");
        await owner.UploadAsync(projectId, ("drums.wav", TestAudio.Wav(1.0)));
        var stemId = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems"))[0].GetProperty("id").GetInt32();
        async Task<int> EnqueueAsync()
        {
            var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/jobs", new { contextStemIds = new[] { stemId }, category = "Bass" }, StudioClient.Json);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        }

        // The first job holds the studio's one worker (its generator waits at the gate); the second waits in the queue.
        var running = await EnqueueAsync();
        await GenerationTests.WaitForJobAsync(owner, projectId, running, j => j.GetProperty("state").GetString() == "Running");
        var queued = await EnqueueAsync();

        string hangfireId;
        using (var scope = factory.Services.CreateScope())
            hangfireId = (await scope.ServiceProvider.GetRequiredService<StudioDbContext>().GenerationJobs.SingleAsync(j => j.Id == queued)).HangfireJobId!;
        Assert.True(factory.Services.GetRequiredService<IBackgroundJobClient>().Delete(hangfireId));

        var deleted = await GenerationTests.WaitForJobAsync(owner, projectId, queued, j => j.GetProperty("state").GetString() != "Queued", seconds: 10);
        Assert.Equal("Failed", deleted.GetProperty("state").GetString());
        Assert.Contains("deleted from the job queue", deleted.GetProperty("error").GetString());

        gate.Release();
        var finished = await GenerationTests.WaitForJobAsync(owner, projectId, running, j => j.GetProperty("state").GetString() != "Running");
        Assert.Equal("Succeeded", finished.GetProperty("state").GetString());
    }
}
