using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Jobs;
using StemGen.Web.Data;
using StemGen.Web.Jobs;

namespace StemGen.Web.Tests.Hostile;

/// <summary>
/// A compromised or buggy GPU worker (finding 4): it holds a real worker key and tries to reach beyond the job it
/// claimed. Each worker key is made by an admin on /admin/workers (the API behind that page); a job's Hangfire job is
/// put in the state a Hangfire server would give it (Processing on a named server), without any server running it.
/// </summary>
public sealed class WorkerAttackTests : IAsyncLifetime
{
    private readonly StudioFactory factory = new(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "wk-admin" });
    private StudioClient admin = null!;
    private StudioClient owner = null!;
    private int projectA, projectB, stemA, stemB;

    public async Task InitializeAsync()
    {
        admin = await factory.RegisterAsync("wk-admin");
        owner = await factory.RegisterAsync("wk-owner");
        (projectA, stemA) = await ProjectWithStemAsync("A", 220);
        (projectB, stemB) = await ProjectWithStemAsync("B", 330);
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private async Task<(int Project, int Stem)> ProjectWithStemAsync(string name, double hz)
    {
        var project = await owner.CreateProjectAsync(name);
        Assert.Equal(HttpStatusCode.OK, (await owner.UploadAsync(project, ($"{name}.wav", TestAudio.Wav(0.2, hz)))).StatusCode);
        var stem = (await owner.GetJsonAsync($"/api/projects/{project}/stems")).EnumerateArray().Single().GetProperty("id").GetInt32();
        return (project, stem);
    }

    /// <summary>A worker key made by the admin, as the worker would send it.</summary>
    private async Task<(HttpClient Http, int Id, string Key)> WorkerAsync(string name)
    {
        var response = await admin.Http.PostAsJsonAsync("/api/admin/workers", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString()!;
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Add(WorkerHeaders.Key, key);
        return (http, created.GetProperty("id").GetInt32(), key);
    }

    /// <summary>A queued generation job of <paramref name="project"/> on <paramref name="stem"/> whose Hangfire job is in <paramref name="state"/>.</summary>
    private async Task<int> JobAsync(int project, int stem, IState state)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var job = new GenerationJob
        {
            ProjectId = project, RequestedById = (await db.Users.SingleAsync(u => u.UserName == "wk-owner")).Id,
            ParametersJson = JsonSerializer.Serialize(new GenerationParameters { ContextStemIds = [stem] }), State = TaskState.Queued, CreatedAt = DateTime.UtcNow,
        };
        db.GenerationJobs.Add(job);
        await db.SaveChangesAsync();
        job.HangfireJobId = factory.Services.GetRequiredService<IBackgroundJobClient>().Create<GenerationJobRunner>(r => r.RunAsync(job.Id, null, CancellationToken.None), state);
        await db.SaveChangesAsync();
        return job.Id;
    }

    private static ProcessingOn OnServer(string server) => new(server);

    /// <summary>The state a Hangfire server writes when it takes a job (Hangfire's ProcessingState has no public constructor).</summary>
    internal sealed class ProcessingOn(string server) : IState
    {
        public string Name => ProcessingState.StateName;
        public string? Reason => null;
        public bool IsFinal => false;
        public bool IgnoreJobLoadException => false;
        public Dictionary<string, string> SerializeData() => new()
        {
            ["StartedAt"] = JobHelper.SerializeDateTime(DateTime.UtcNow), ["ServerId"] = server, ["WorkerId"] = Guid.NewGuid().ToString(),
        };
    }

    private static Task<HttpResponseMessage> ClaimAsync(HttpClient worker, int job) =>
        worker.PostAsJsonAsync($"/api/worker/jobs/{job}/claim", new { device = "cuda:0" });

    private static Task<HttpResponseMessage> FinishAsync(HttpClient worker, int job, string kind) =>
        worker.PostAsJsonAsync($"/api/worker/jobs/{job}/finish", new { kind, message = "done" }, StudioClient.Json);

    private static Task<HttpResponseMessage> UploadCandidateAsync(HttpClient worker, int job) =>
        worker.PutAsync($"/api/worker/jobs/{job}/candidates/0", new ByteArrayContent(TestAudio.Wav(0.2)));

    private async Task<GenerationJob> RowAsync(int job)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudioDbContext>().GenerationJobs.AsNoTracking().Include(j => j.Candidates).SingleAsync(j => j.Id == job);
    }

    [Fact]
    public async Task A_worker_key_cannot_read_a_stem_of_a_job_it_did_not_claim()
    {
        var (a, _, _) = await WorkerAsync("gpu-a");
        var (b, _, _) = await WorkerAsync("gpu-b");
        var jobA = await JobAsync(projectA, stemA, OnServer("gpu-a:1"));
        var jobB = await JobAsync(projectB, stemB, OnServer("gpu-b:1"));
        Assert.Equal(HttpStatusCode.OK, (await ClaimAsync(a, jobA)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await b.GetAsync($"/api/worker/jobs/{jobA}/stems/{stemA}")).StatusCode); // another worker's job
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync($"/api/worker/jobs/{jobB}/stems/{stemB}")).StatusCode); // a job nobody claimed
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/api/worker/jobs/{jobA}/stems/{stemB}")).StatusCode); // its own job, another project's stem
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/api/worker/jobs/999999/stems/{stemB}")).StatusCode);
        Assert.Equal(TestAudio.Wav(0.2, 220).Length, (await a.GetByteArrayAsync($"/api/worker/jobs/{jobA}/stems/{stemA}")).Length); // what it may read
    }

    [Fact]
    public async Task A_worker_key_cannot_claim_a_job_Hangfire_has_not_handed_to_a_server()
    {
        var (a, _, _) = await WorkerAsync("gpu-a");
        var waiting = await JobAsync(projectA, stemA, new ScheduledState(TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.Forbidden, (await ClaimAsync(a, waiting)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync($"/api/worker/jobs/{waiting}/stems/{stemA}")).StatusCode);
        Assert.Equal(TaskState.Queued, (await RowAsync(waiting)).State);
        Assert.Equal(HttpStatusCode.NotFound, (await ClaimAsync(a, 999999)).StatusCode);
    }

    [Fact]
    public async Task A_worker_key_cannot_take_over_a_job_another_worker_holds_on_the_same_server()
    {
        var (a, _, _) = await WorkerAsync("gpu-a");
        var (b, _, _) = await WorkerAsync("gpu-b");
        var job = await JobAsync(projectA, stemA, OnServer("gpu-a:1"));
        Assert.Equal(HttpStatusCode.OK, (await ClaimAsync(a, job)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ClaimAsync(b, job)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadCandidateAsync(b, job)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await FinishAsync(b, job, "Failed")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await b.GetAsync($"/api/worker/jobs/{job}/candidates")).StatusCode);
        var row = await RowAsync(job);
        Assert.Equal(TaskState.Running, row.State);
        Assert.Empty(row.Candidates);

        // Hangfire gives the job to another server (the first worker died): that worker claims it, and the first one is out.
        using (var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection())
        using (var transaction = connection.CreateWriteTransaction())
        {
            transaction.SetJobState(row.HangfireJobId!, OnServer("gpu-b:1"));
            transaction.Commit();
        }
        Assert.Equal(HttpStatusCode.OK, (await ClaimAsync(b, job)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await FinishAsync(a, job, "Failed")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await UploadCandidateAsync(b, job)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await FinishAsync(b, job, "Succeeded")).StatusCode);
        Assert.Equal(TaskState.Succeeded, (await RowAsync(job)).State);
    }

    [Fact]
    public async Task A_worker_cannot_touch_its_job_after_the_job_ended()
    {
        var (a, _, _) = await WorkerAsync("gpu-a");
        var job = await JobAsync(projectA, stemA, OnServer("gpu-a:1"));
        Assert.Equal(HttpStatusCode.OK, (await ClaimAsync(a, job)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await FinishAsync(a, job, "Cancelled")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync($"/api/worker/jobs/{job}/stems/{stemA}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadCandidateAsync(a, job)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await FinishAsync(a, job, "Failed")).StatusCode);
        var row = await RowAsync(job);
        Assert.Equal(TaskState.Cancelled, row.State);
        Assert.Null(row.Error);
        Assert.Empty(row.Candidates);
    }

    [Fact]
    public async Task A_revoked_worker_key_is_refused_at_once_even_on_its_claimed_job()
    {
        var (a, id, _) = await WorkerAsync("gpu-a");
        var job = await JobAsync(projectA, stemA, OnServer("gpu-a:1"));
        Assert.Equal(HttpStatusCode.OK, (await ClaimAsync(a, job)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/admin/workers/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await a.GetAsync($"/api/worker/jobs/{job}/stems/{stemA}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await FinishAsync(a, job, "Succeeded")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await a.GetAsync("/api/worker/model")).StatusCode);
        // The progress hub checks the lease and the key on every report, not only when the worker connected.
        await using var scope = factory.Services.CreateAsyncScope();
        var leases = scope.ServiceProvider.GetRequiredService<WorkerLeases>();
        var holder = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(Endpoints.WorkerKeyAuthentication.HolderClaim, $"key:{id}")], "test"));
        Assert.Equal(WorkerLeases.Verdict.Forbidden, await leases.CheckAsync(job, holder, "progress", CancellationToken.None));
    }

    [Fact]
    public async Task A_worker_key_is_shown_once_and_only_its_hash_is_stored()
    {
        var (_, id, key) = await WorkerAsync("gpu-a");
        Assert.StartsWith(WorkerKeyStore.Prefix, key);
        Assert.True(key.Length >= 64);
        var listed = await admin.GetJsonAsync("/api/admin/workers");
        Assert.DoesNotContain(key, listed.GetRawText());
        Assert.Equal("gpu-a", listed.EnumerateArray().Single(k => k.GetProperty("id").GetInt32() == id).GetProperty("name").GetString());
        await using var scope = factory.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<StudioDbContext>().WorkerKeys.SingleAsync(k => k.Id == id);
        Assert.DoesNotContain(key, row.KeyHash);
        Assert.Equal(64, row.KeyHash.Length);
        // Only admins make keys; a second key with the same name is refused.
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.Http.PostAsJsonAsync("/api/admin/workers", new { name = "mine" })).StatusCode);
        var twice = await admin.Http.PostAsJsonAsync("/api/admin/workers", new { name = "gpu-a" });
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Contains("exists", await twice.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_job_row_naming_a_type_the_studio_does_not_define_fails_without_running()
    {
        // What a compromised worker with write access to Hangfire's tables would insert: a job the studio's own server takes.
        var canary = Path.Combine(factory.DataDirectory, "canary.txt");
        await File.WriteAllTextAsync(canary, "still here");
        var studioQueue = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobsOptions>>().Value.Queues.Studio;
        var storage = factory.Services.GetRequiredService<JobStorage>();
        var client = new BackgroundJobClient(storage);
        var foreignType = client.Create(new Job(typeof(File).GetMethod(nameof(File.Delete), [typeof(string)])!, canary), new EnqueuedState(studioQueue));
        // A type the studio defines, but not its job method (this one would put a dataset task back on the queue).
        var foreignMethod = client.Create(new Job(typeof(Datasets.DatasetTaskJob), typeof(Datasets.DatasetTaskJob).GetMethod("EnqueueAsync")!, 1, CancellationToken.None),
            new EnqueuedState(studioQueue));

        foreach (var id in new[] { foreignType, foreignMethod })
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            string? state;
            do
            {
                await Task.Delay(200);
                using var connection = storage.GetConnection();
                state = connection.GetStateData(id)?.Name;
            } while ((state == EnqueuedState.StateName || state == ProcessingState.StateName) && DateTime.UtcNow < deadline);
            Assert.Equal(FailedState.StateName, state);
            var failed = storage.GetMonitoringApi().JobDetails(id).History.First(h => h.StateName == FailedState.StateName);
            Assert.Contains("not a job the studio defines", failed.Data["ExceptionDetails"]);
        }
        Assert.Equal("still here", await File.ReadAllTextAsync(canary));
    }

    [Fact]
    public async Task A_failed_job_shows_project_members_no_server_paths_but_admins_see_the_exception()
    {
        factory.Generator.Fault = new InvalidOperationException("could not map /var/lib/stemgen/secret/model.bin (errno 12)");
        var response = await owner.Http.PostAsJsonAsync($"/api/projects/{projectA}/jobs", new { contextStemIds = new[] { stemA }, category = "Bass", preset = "fast" }, StudioClient.Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var job = await GenerationTests.WaitForJobAsync(owner, projectA, id, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed");

        Assert.Equal("Failed", job.GetProperty("state").GetString());
        var shown = job.GetProperty("error").GetString()!;
        Assert.DoesNotContain("/var/lib", shown);
        Assert.Contains("internal error", shown);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.Http.GetAsync($"/api/admin/generation-jobs/{id}")).StatusCode);
        var detail = (await admin.GetJsonAsync($"/api/admin/generation-jobs/{id}")).GetProperty("errorDetail").GetString()!;
        Assert.Contains("/var/lib/stemgen/secret/model.bin", detail);
        Assert.Contains(nameof(InvalidOperationException), detail);
    }
}
