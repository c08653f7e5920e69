using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Model;
using StemGen.Model.Training;
using StemGen.Web.Data;
using StemGen.Web.Training;

namespace StemGen.Web.Tests;

/// <summary>
/// Serving a model: an admin switches what the studio generates with, the next job loads it (the tone generator's
/// factory sees the checkpoint) and records it, project pages show it, a rollback returns to the previous one, and
/// workers fetch the served file by its SHA-256. Models that cannot be served are refused with a reason and nothing changes.
/// </summary>
/// <remarks>Runs on SQLite and on PostgreSQL (the nested <see cref="Sqlite"/> and <see cref="Postgres"/> classes).</remarks>
public abstract class ModelServingTests(TestDatabase database) : IAsyncLifetime
{
    private const string Shipped = "models/stemgen-tiny.safetensors";
    private const string WorkerKey = "serving-worker-key-0123456789abcdef";
    private readonly StudioFactory factory = new(database: database, settings: new Dictionary<string, string>
    {
        ["Studio:Admins:0"] = "ms-admin", ["Jobs:WorkerKeys:0"] = WorkerKey,
    });
    private StudioClient admin = null!;
    private StudioClient composer = null!;

    public async Task InitializeAsync()
    {
        admin = await factory.RegisterAsync("ms-admin");
        composer = await factory.RegisterAsync("ms-composer");
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    /// <summary>
    /// A finished training run whose export is a copy of the shipped model, or, with <paramref name="codecIdentity"/>, the
    /// shipped weights saved as if trained on another codec's tokens: a second model to serve without training one.
    /// </summary>
    internal static async Task<string> AddExportedRunAsync(IServiceProvider services, string dataDirectory, string userName, string? codecIdentity = null)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var user = await db.Users.SingleAsync(u => u.UserName == userName);
        var run = new TrainingRun
        {
            Dataset = "tiny", Codec = "codec-tiny.safetensors", Preset = "tiny", Device = "cpu", Folder = "", State = TaskState.Succeeded,
            Exported = true, CreatedById = user.Id, CreatedAt = DateTime.UtcNow,
        };
        db.TrainingRuns.Add(run);
        await db.SaveChangesAsync();
        run.Folder = Path.Combine("runs", $"run-{run.Id:00000}");
        await db.SaveChangesAsync();
        var folder = Directory.CreateDirectory(Path.Combine(dataDirectory, run.Folder)).FullName;
        var export = Path.Combine(folder, TrainingRunJob.ExportFile);
        if (codecIdentity is null) File.Copy(ShippedModels.CheckpointPath(), export);
        else
        {
            var loaded = ModelCheckpoint.Load(ShippedModels.CheckpointPath(), StemGen.Torch.Device.CPU);
            using var model = loaded.Model;
            ModelCheckpoint.Save(export, model, codecIdentity, loaded.Step, null);
        }
        return $"run {run.Id}";
    }

    private async Task<HttpResponseMessage> ServeAsync(string name) => await admin.Http.PostAsJsonAsync("/api/admin/models/serve", new { name });

    private async Task<JsonElement> ServedAsync() => await admin.GetJsonAsync("/api/admin/models/served");

    private static string? CurrentName(JsonElement served) => served.GetProperty("current").GetProperty("name").GetString();

    /// <summary>Runs one generation job in a new project of the composer and returns it finished.</summary>
    private async Task<JsonElement> GenerateAsync()
    {
        var project = await composer.CreateProjectAsync($"Song {Guid.NewGuid():N}");
        var upload = await composer.UploadAsync(project, ("drums.wav", TestAudio.Wav(1.0, 220)));
        var stem = (await upload.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetInt32();
        var response = await composer.Http.PostAsJsonAsync($"/api/projects/{project}/jobs", new { contextStemIds = new[] { stem }, category = "Bass", preset = "fast" }, StudioClient.Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var done = await GenerationTests.WaitForJobAsync(composer, project, job, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled", seconds: 60);
        Assert.True(done.GetProperty("state").GetString() == "Succeeded", done.ToString());
        return done;
    }

    [Fact]
    public async Task Serving_switches_the_next_job_shows_on_project_pages_and_rolls_back()
    {
        var run = await AddExportedRunAsync(factory.Services, factory.DataDirectory, "ms-admin");
        var before = await ServedAsync();
        Assert.Equal(Shipped, CurrentName(before));
        Assert.True(before.GetProperty("current").GetProperty("isConfiguredDefault").GetBoolean());
        Assert.Equal(StemGen.Jobs.GenerationJobRunner.ConfiguredModel, (await GenerateAsync()).GetProperty("model").GetString());
        Assert.Null(factory.LoadedCheckpoints.Last());

        var response = await ServeAsync(run);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(run, CurrentName(await ServedAsync()));
        var exportPath = Path.GetFullPath(Path.Combine(factory.DataDirectory, "runs", $"run-{run[4..].PadLeft(5, '0')}", TrainingRunJob.ExportFile));
        Assert.True((await admin.GetJsonAsync("/api/admin/models")).EnumerateArray().Single(x => x.GetProperty("name").GetString() == run).GetProperty("served").GetBoolean());

        // The next job loads the served file and records it; collaborators see it on their project page.
        var job = await GenerateAsync();
        Assert.Equal(run, job.GetProperty("model").GetString());
        Assert.Equal(exportPath, factory.LoadedCheckpoints.Last());
        var projectId = (await composer.GetJsonAsync("/api/projects")).EnumerateArray().First().GetProperty("id").GetInt32();
        Assert.Contains($"model {run}", await composer.Http.GetStringAsync($"/projects/{projectId}"));

        // Roll back: the configured (shipped) model is served again, the history keeps both switches.
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PostAsync("/api/admin/models/rollback", null)).StatusCode);
        var after = await ServedAsync();
        Assert.Equal(Shipped, CurrentName(after));
        Assert.Equal([Shipped, run], after.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("name").GetString()).ToList());
        Assert.Equal(Shipped, (await GenerateAsync()).GetProperty("model").GetString());
        Assert.Equal(Path.GetFullPath(ShippedModels.CheckpointPath()), factory.LoadedCheckpoints.Last());
        // A second rollback undoes the first.
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PostAsync("/api/admin/models/rollback", null)).StatusCode);
        Assert.Equal(run, CurrentName(await ServedAsync()));
    }

    [Fact]
    public async Task A_served_model_whose_file_is_gone_fails_the_job_with_a_reason()
    {
        var run = await AddExportedRunAsync(factory.Services, factory.DataDirectory, "ms-admin");
        Assert.Equal(HttpStatusCode.OK, (await ServeAsync(run)).StatusCode);
        File.Delete(Path.Combine(factory.DataDirectory, "runs", $"run-{run[4..].PadLeft(5, '0')}", TrainingRunJob.ExportFile));
        var project = await composer.CreateProjectAsync("Orphan");
        var upload = await composer.UploadAsync(project, ("drums.wav", TestAudio.Wav(1.0, 220)));
        var stem = (await upload.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetInt32();
        var response = await composer.Http.PostAsJsonAsync($"/api/projects/{project}/jobs", new { contextStemIds = new[] { stem }, category = "Bass", preset = "fast" }, StudioClient.Json);
        var job = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var done = await GenerationTests.WaitForJobAsync(composer, project, job, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled", seconds: 60);
        Assert.Equal("Failed", done.GetProperty("state").GetString());
        Assert.Contains($"the file of the served model {run} is gone", done.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Models_that_cannot_be_served_are_refused_with_a_reason_and_nothing_changes()
    {
        var otherCodec = await AddExportedRunAsync(factory.Services, factory.DataDirectory, "ms-admin", codecIdentity: "encodec-of-another-dataset");
        var broken = await AddExportedRunAsync(factory.Services, factory.DataDirectory, "ms-admin");
        var brokenFile = Path.Combine(factory.DataDirectory, "runs", $"run-{broken[4..].PadLeft(5, '0')}", TrainingRunJob.ExportFile);
        await File.WriteAllBytesAsync(brokenFile, [1, 2, 3]);

        foreach (var (name, reason) in new[]
        {
            ("run 999", "there is no model 'run 999'"),
            ("", "there is no model ''"),
            ("../../etc/passwd", "there is no model"),
            (otherCodec, "was trained on the tokens of codec encodec-of-another-dataset"),
            (broken, "cannot be read"),
        })
        {
            var response = await ServeAsync(name);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {body}");
            Assert.Contains(reason, body);
        }
        var rollback = await admin.Http.PostAsync("/api/admin/models/rollback", null);
        Assert.Equal(HttpStatusCode.BadRequest, rollback.StatusCode);
        Assert.Contains("nothing to roll back to", await rollback.Content.ReadAsStringAsync());
        var served = await ServedAsync();
        Assert.Equal(Shipped, CurrentName(served));
        Assert.Empty(served.GetProperty("history").EnumerateArray());
    }

    [Fact]
    public async Task Workers_fetch_the_served_model_by_its_hash_with_their_key_only()
    {
        var worker = factory.CreateClient();
        worker.DefaultRequestHeaders.Add(StemGen.Jobs.WorkerHeaders.Key, WorkerKey);
        worker.DefaultRequestHeaders.Add(StemGen.Jobs.WorkerHeaders.Name, "test-worker");
        Assert.Equal(HttpStatusCode.NoContent, (await worker.GetAsync("/api/worker/model")).StatusCode); // the configured model

        var run = await AddExportedRunAsync(factory.Services, factory.DataDirectory, "ms-admin");
        Assert.Equal(HttpStatusCode.OK, (await ServeAsync(run)).StatusCode);
        var reference = await worker.GetFromJsonAsync<JsonElement>("/api/worker/model");
        Assert.Equal(run, reference.GetProperty("name").GetString());
        var sha = reference.GetProperty("sha256").GetString()!;
        var bytes = await worker.GetByteArrayAsync($"/api/worker/models/{sha}");
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(reference.GetProperty("bytes").GetInt64(), bytes.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(ShippedModels.CheckpointPath()))), sha);

        Assert.Equal(HttpStatusCode.NotFound, (await worker.GetAsync($"/api/worker/models/{new string('0', 64)}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await worker.GetAsync("/api/worker/models/..%2F..%2Fappsettings.json")).StatusCode);
        // Not for users, not without the key.
        Assert.NotEqual(HttpStatusCode.OK, (await composer.Http.GetAsync($"/api/worker/models/{sha}")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await admin.Http.GetAsync($"/api/worker/models/{sha}")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/api/worker/model")).StatusCode);
    }

    public sealed class Sqlite() : ModelServingTests(TestDatabase.Sqlite);

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class Postgres(PostgresServer server) : ModelServingTests(server.NewDatabase());
}
