using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Data.Slakh;
using StemGen.Web.Data;
using StemGen.Web.Training;

namespace StemGen.Web.Tests;

/// <summary>
/// Training runs over HTTP on a tiny import (train and validation splits) with its token cache built by the
/// codec-tiny: a few steps of the tiny preset record training and validation points and export the model;
/// pause checkpoints and stops, resume continues from the checkpoint; bad input is refused with a reason.
/// </summary>
/// <remarks>Runs on SQLite and on PostgreSQL (the nested <see cref="Sqlite"/> and <see cref="Postgres"/> classes).</remarks>
public abstract class TrainingTests(TestDatabase database) : IAsyncLifetime
{
    private const string Codec = "codec-tiny.safetensors";
    private readonly StudioFactory factory = new(database: database, settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "tr-admin" });
    private StudioClient admin = null!;

    public async Task InitializeAsync()
    {
        admin = await factory.RegisterAsync("tr-admin");
        WriteTrainValidation(Root, "tiny");
        var response = await admin.Http.PostAsJsonAsync("/api/admin/datasets/tokens", new { dataset = "tiny", codec = Codec, splits = new[] { "train", "validation" }, submixes = 1 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await Poll.UntilAsync(() => admin.GetJsonAsync($"/api/admin/datasets/tasks/{id}"), task => task.GetProperty("state").GetString() is not ("Queued" or "Running"),
            seconds: 180, "token cache");
        Assert.Equal("Succeeded", (await admin.GetJsonAsync($"/api/admin/datasets/tasks/{id}")).GetProperty("state").GetString());
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private string Root => Path.Combine(factory.DataDirectory, "datasets");

    /// <summary>A tiny import with 2 train songs and 2 validation songs (TestDatasets' tones, 3 stems, 4 s).</summary>
    internal static void WriteTrainValidation(string root, string name)
    {
        var folder = TestDatasets.Write(root, name, songs: 2, seconds: 4, split: "train");
        var other = TestDatasets.Write(root, name + "-validation", songs: 2, seconds: 4, split: "validation");
        Directory.Move(Path.Combine(other, "validation"), Path.Combine(folder, "validation"));
        var train = ImportManifest.Load(Path.Combine(folder, ImportManifest.FileName));
        var validation = ImportManifest.Load(Path.Combine(other, ImportManifest.FileName));
        var tracks = train.Tracks.Concat(validation.Tracks).ToList();
        (train with { Tracks = tracks, Summary = ImportSummary.Of(tracks, [], train.SampleRate), Root = null }).Save(Path.Combine(folder, ImportManifest.FileName));
        Directory.Delete(other, recursive: true);
    }

    private async Task<int> LaunchAsync(object request)
    {
        var response = await admin.Http.PostAsJsonAsync("/api/admin/training", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private async Task<JsonElement> WaitAsync(int runId, Func<JsonElement, bool> until, string what, int seconds = 240)
    {
        return await Poll.UntilAsync(() => admin.GetJsonAsync($"/api/admin/training/{runId}"), run =>
        {
            if (until(run)) return true;
            Assert.True(run.GetProperty("state").GetString() is "Queued" or "Running", $"run {runId} ended before {what}: {run}");
            return false;
        }, seconds, $"run {runId}: {what}");
    }

    private static string State(JsonElement run) => run.GetProperty("state").GetString()!;

    [Fact]
    public async Task A_few_steps_of_the_tiny_preset_record_curves_and_export_the_model()
    {
        var id = await LaunchAsync(new { dataset = "tiny", codec = Codec, preset = "tiny", steps = 6, batch = 2, seqFrames = 50, seed = 3 });
        var run = await WaitAsync(id, r => State(r) == "Succeeded", "success");
        var step = run.GetProperty("step").GetInt64();
        Assert.InRange(step, 1, 6); // 6, or fewer when early stopping (patience steps / 3, as `stemgen train --steps`) ends it
        Assert.Contains($"at step {step}; exported model.safetensors", run.GetProperty("phase").GetString());
        Assert.True(run.GetProperty("exported").GetBoolean());
        Assert.True(run.GetProperty("parameterCount").GetInt64() > 0);
        var points = run.GetProperty("points").EnumerateArray().ToList();
        var training = points.Where(p => !p.GetProperty("validation").GetBoolean()).ToList();
        var validation = points.Where(p => p.GetProperty("validation").GetBoolean()).ToList();
        Assert.NotEmpty(training);
        Assert.NotEmpty(validation);
        Assert.All(training, p => Assert.True(double.IsFinite(p.GetProperty("loss").GetDouble()) && p.GetProperty("loss").GetDouble() > 0));
        Assert.All(validation, p => Assert.True(p.GetProperty("levelAccuracy").GetString()!.Split(' ').Length == 4, p.ToString())); // the codec's 4 levels
        Assert.Equal(training.Select(p => p.GetProperty("step").GetInt64()).Order(), training.Select(p => p.GetProperty("step").GetInt64()));
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "runs", $"run-{id:00000}", TrainingRunJob.ExportFile)));
        Assert.Contains("validation step", run.GetProperty("log").GetString());

        var page = await admin.Http.GetStringAsync($"/admin/training/{id}");
        Assert.Contains("chart-loss", page);
        Assert.Contains("curve-line", page);

        // The export is listed among the models, described from its own metadata.
        var models = (await admin.GetJsonAsync("/api/admin/models")).EnumerateArray().ToList();
        var exported = models.Single(m => m.GetProperty("name").GetString() == $"run {id}");
        Assert.Equal(run.GetProperty("codecIdentity").GetString(), exported.GetProperty("codecIdentity").GetString());
        Assert.Equal(run.GetProperty("parameterCount").GetInt64(), exported.GetProperty("parameterCount").GetInt64());
        Assert.Equal("tiny", exported.GetProperty("preset").GetString());
        Assert.Equal(run.GetProperty("bestValidationAccuracy").GetDouble(), exported.GetProperty("validationAccuracy").GetDouble(), 6);
        Assert.False(exported.GetProperty("served").GetBoolean());
        Assert.True(models.Single(m => m.GetProperty("name").GetString() == "models/stemgen-tiny.safetensors").GetProperty("served").GetBoolean());
        Assert.DoesNotContain(models, m => m.GetProperty("name").GetString()!.StartsWith("models/codec")); // codecs are not models
        Assert.Contains($"run {id}", await admin.Http.GetStringAsync("/admin/models"));

        // The listening check validates the best model with and without the context; its gain is level 1 masked whole.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.Http.PostAsync($"/api/admin/training/{id}/listening-check", null)).StatusCode);
        run = await Poll.UntilAsync(() => admin.GetJsonAsync($"/api/admin/training/{id}"), r => r.GetProperty("listeningCheck").GetString() is not ("Queued" or "Running"),
            seconds: 180, "listening check");
        Assert.True(run.GetProperty("listeningCheck").GetString() == "Succeeded", run.ToString());
        var check = run.GetProperty("listeningCheckResult");
        var whole = check.GetProperty("wholeLevel");
        double Level1(string context) => whole.GetProperty(context).GetProperty("levelLoss")[0].GetDouble();
        Assert.Equal(Level1("withoutContext") - Level1("withContext"), run.GetProperty("listeningGain").GetDouble(), 9);
        Assert.Equal(4, check.GetProperty("trainingMasks").GetProperty("withContext").GetProperty("levelAccuracy").GetArrayLength());
        Assert.Equal(run.GetProperty("bestStep").GetInt64(), check.GetProperty("modelStep").GetInt64());
        Assert.Equal(run.GetProperty("listeningGain").GetDouble(),
            (await admin.GetJsonAsync("/api/admin/models")).EnumerateArray().Single(m => m.GetProperty("name").GetString() == $"run {id}").GetProperty("listeningGain").GetDouble(), 9);
        Assert.Contains("check-table", await admin.Http.GetStringAsync($"/admin/training/{id}"));
    }

    [Fact]
    public async Task A_paused_run_keeps_its_checkpoint_and_resumes_from_it()
    {
        var id = await LaunchAsync(new { dataset = "tiny", codec = Codec, preset = "tiny", steps = 100000, batch = 1, seqFrames = 25, seed = 4 });
        await WaitAsync(id, r => State(r) == "Running" && r.GetProperty("step").GetInt64() >= 2, "two steps");
        var busy = await admin.Http.PostAsync($"/api/admin/training/{id}/listening-check", null);
        Assert.Equal(HttpStatusCode.BadRequest, busy.StatusCode);
        Assert.Contains("pause it or let it finish", await busy.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PostAsync($"/api/admin/training/{id}/export", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/admin/training/{id}/pause", null)).StatusCode);
        var paused = await WaitAsync(id, r => State(r) == "Paused", "pause", 120);
        var step = paused.GetProperty("step").GetInt64();
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "runs", $"run-{id:00000}", "checkpoint.safetensors")));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PostAsync($"/api/admin/training/{id}/pause", null)).StatusCode);
        // A paused run can be exported now: its model is listed.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/admin/training/{id}/export", null)).StatusCode);
        Assert.Contains((await admin.GetJsonAsync("/api/admin/models")).EnumerateArray(), m => m.GetProperty("name").GetString() == $"run {id}");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/admin/training/{id}/resume", null)).StatusCode);
        var resumed = await WaitAsync(id, r => State(r) == "Running" && r.GetProperty("step").GetInt64() > step, "resume");
        Assert.Contains($"resum", resumed.GetProperty("log").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/admin/training/{id}/cancel", null)).StatusCode);
        var cancelled = await WaitAsync(id, r => State(r) == "Cancelled", "cancel", 120);
        Assert.True(cancelled.GetProperty("step").GetInt64() > step);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PostAsync($"/api/admin/training/{id}/resume", null)).StatusCode);
    }

    [Fact]
    public async Task A_run_survives_a_studio_restart_and_resumes_from_its_checkpoint()
    {
        var id = await LaunchAsync(new { dataset = "tiny", codec = Codec, preset = "tiny", steps = 400, batch = 1, seqFrames = 25, seed = 5 });
        var before = (await WaitAsync(id, r => r.GetProperty("step").GetInt64() >= 3, "three steps")).GetProperty("step").GetInt64();
        await factory.DisposeAsync(); // the studio stops: the run checkpoints, its job goes back to the queue, the row stays Running

        await using var restarted = new StudioFactory(dataDirectory: factory.DataDirectory, database: database, settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "tr-admin" });
        var again = restarted.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await again.LoginAsync("tr-admin", "secret123")).StatusCode);
        await again.FetchApiTokenAsync();
        var run = await Poll.UntilAsync(() => again.GetJsonAsync($"/api/admin/training/{id}"), r =>
        {
            if (r.GetProperty("log").GetString()!.Contains("resuming from the checkpoint") && r.GetProperty("step").GetInt64() > before) return true;
            Assert.True(State(r) is "Queued" or "Running" or "Succeeded", r.ToString());
            return false;
        }, seconds: 240, $"run {id} did not resume", intervalMs: 300);
        Assert.Contains("the server stopped", run.GetProperty("log").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await again.Http.PostAsync($"/api/admin/training/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_message_and_changes_nothing()
    {
        // a second import whose token cache was built with another codec
        WriteTrainValidation(Root, "other");
        Directory.CreateDirectory(Path.Combine(Root, "other", "tokens", "0123456789abcdef"));
        File.WriteAllText(Path.Combine(Root, "other", "tokens", "0123456789abcdef", "identity.txt"), "encodec-someone-else/q4");
        TestDatasets.Write(Root, "test-only", songs: 1, seconds: 1, split: "test");

        var cases = new (object Body, string Message)[]
        {
            (new { dataset = "tiny", codec = Codec, steps = 0 }, "steps must be 1 to"),
            (new { dataset = "tiny", codec = Codec, learningRate = 2.0 }, "learning rate must be a number in (0, 1)"),
            (new { dataset = "tiny", codec = Codec, learningRate = 0.0 }, "learning rate must be a number in (0, 1)"),
            (new { dataset = "tiny", codec = Codec, contextDropout = 1.5 }, "context dropout must be a number in [0, 1]"),
            (new { dataset = "tiny", codec = Codec, batch = 0 }, "the batch must be 1 to 4096"),
            (new { dataset = "tiny", codec = Codec, preset = "huge" }, "unknown preset 'huge'"),
            (new { dataset = "tiny", codec = Codec, device = "tpu" }, "device:"),
            (new { dataset = "nowhere", codec = Codec }, "unknown dataset 'nowhere'"),
            (new { dataset = "../tiny", codec = Codec }, "'..' is not allowed"),
            (new { dataset = "test-only", codec = Codec }, "has no train split (it has test)"),
            (new { dataset = "tiny", codec = "codec-huge.safetensors" }, "unknown codec 'codec-huge.safetensors'"),
            (new { dataset = "other", codec = Codec }, "the token cache of 'other' was not built with codec-tiny.safetensors"),
        };
        foreach (var (body, message) in cases)
        {
            var response = await admin.Http.PostAsJsonAsync("/api/admin/training", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(body)}: {response.StatusCode} {text}");
            Assert.Contains(message, text);
        }
        // NaN cannot travel in JSON; the page's form reaches the service with it.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<TrainingService>();
            var e = await Assert.ThrowsAsync<StudioValidationException>(() => service.LaunchAsync("x", new TrainingRequest("tiny", Codec, LearningRate: double.NaN)));
            Assert.Contains("learning rate must be a number in (0, 1), not NaN", e.Message);
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<StudioDbContext>().TrainingRuns.CountAsync());
        }
        Assert.False(Directory.Exists(Path.Combine(factory.DataDirectory, "runs")));
    }

    [Fact]
    public async Task Training_pages_and_endpoints_are_for_admins_only()
    {
        var listener = await factory.RegisterAsync("tr-listener");
        var anonymous = factory.NewClient();
        await anonymous.FetchApiTokenAsync();
        foreach (var (client, expected) in new[] { (anonymous, HttpStatusCode.Unauthorized), (listener, HttpStatusCode.Forbidden) })
        {
            Assert.Equal(expected, (await client.Http.GetAsync("/api/admin/training")).StatusCode);
            Assert.Equal(expected, (await client.Http.GetAsync("/api/admin/training/1")).StatusCode);
            Assert.Equal(expected, (await client.Http.GetAsync("/api/admin/models")).StatusCode);
            Assert.Equal(expected, (await client.Http.PostAsJsonAsync("/api/admin/training", new { dataset = "tiny", codec = Codec, steps = 2 })).StatusCode);
            foreach (var action in new[] { "pause", "resume", "cancel" })
                Assert.Equal(expected, (await client.Http.PostAsync($"/api/admin/training/1/{action}", null)).StatusCode);
            foreach (var page in new[] { "/admin/training", "/admin/training/1", "/admin/models" })
            {
                var response = await client.Http.GetAsync(page);
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.StartsWith(client == anonymous ? "/account/login" : "/account/denied", response.Headers.Location!.OriginalString.Replace("http://localhost", ""));
            }
        }
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<StudioDbContext>().TrainingRuns.CountAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/admin/training")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/admin/models")).StatusCode);
    }

    public sealed class Sqlite() : TrainingTests(TestDatabase.Sqlite);

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class Postgres(PostgresServer server) : TrainingTests(server.NewDatabase());
}
