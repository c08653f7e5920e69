using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Audio;
using StemGen.Web.Data;
using StemGen.Web.Endpoints;

namespace StemGen.Web.Tests;

/// <summary>
/// The datasets admin area over HTTP: imports, synthetic renders and token caches run as jobs confined to
/// the datasets root; hostile paths and bad input are refused with a reason and store nothing; only admins
/// reach the page and the endpoints.
/// </summary>
/// <remarks>Runs on SQLite and on PostgreSQL (the nested <see cref="Sqlite"/> and <see cref="Postgres"/> classes).</remarks>
public abstract class DatasetTests(TestDatabase database) : IAsyncLifetime
{
    private readonly StudioFactory factory = new(database: database, settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "ds-admin" });
    private StudioClient admin = null!;

    public async Task InitializeAsync() => admin = await factory.RegisterAsync("ds-admin");

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private string Root => Path.Combine(factory.DataDirectory, "datasets");

    private async Task<int> TaskCountAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StudioDbContext>().DatasetTasks.CountAsync();
    }

    private static async Task<int> StartedAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private async Task<JsonElement> WaitAsync(int taskId, string until, int seconds = 120)
    {
        return await Poll.UntilAsync(() => admin.GetJsonAsync($"/api/admin/datasets/tasks/{taskId}"), task =>
        {
            var state = task.GetProperty("state").GetString();
            if (state == until) return true;
            Assert.True(state is "Queued" or "Running", $"task {taskId} ended {state}, not {until}: {task}");
            return false;
        }, seconds, $"task {taskId} still running");
    }

    /// <summary>A Slakh-format folder: train/Track00001 (piano, bass, drums) and test/Track00002 (piano, bass), 21 s WAV stems at 16 kHz.</summary>
    internal static string WriteSlakh(string folder)
    {
        const int rate = 16000;
        void Track(string split, string id, (string Stem, int Program, string Class, bool Drum)[] stems)
        {
            var dir = Path.Combine(folder, split, id);
            Directory.CreateDirectory(Path.Combine(dir, "stems"));
            var yaml = "UUID: " + id + "\naudio_dir: stems\nmidi_dir: MIDI\nstems:\n";
            for (var k = 0; k < stems.Length; k++)
            {
                var (stem, program, cls, drum) = stems[k];
                var samples = new float[21 * rate];
                for (var i = 0; i < samples.Length; i++) samples[i] = drum ? (i % 4000 < 400 ? 0.3f * MathF.Sin(i * 0.7f) : 0) : 0.2f * MathF.Sin(2 * MathF.PI * 110 * (k + 1) * i / rate);
                AudioFile.Write(Path.Combine(dir, "stems", stem + ".wav"), AudioBuffer.FromChannels(rate, samples));
                yaml += $"  {stem}:\n    audio_rendered: true\n    inst_class: {cls}\n    is_drum: {(drum ? "true" : "false")}\n    midi_program_name: x\n    program_num: {program}\n";
            }
            File.WriteAllText(Path.Combine(dir, "metadata.yaml"), yaml);
        }
        Track("train", "Track00001", [("S00", 0, "Piano", false), ("S01", 33, "Bass", false), ("S02", 128, "Drums", true)]);
        Track("test", "Track00002", [("S00", 0, "Piano", false), ("S01", 33, "Bass", false)]);
        return folder;
    }

    [Fact]
    public async Task An_imported_Slakh_folder_is_listed_with_figures_per_split_and_category()
    {
        WriteSlakh(Path.Combine(Root, "slakh-mini"));
        var listed = await admin.GetJsonAsync("/api/admin/datasets");
        Assert.Contains("slakh-mini", listed.GetProperty("slakhFolders").EnumerateArray().Select(e => e.GetString()));

        var id = await StartedAsync(await admin.Http.PostAsJsonAsync("/api/admin/datasets/import",
            new { source = "slakh-mini", output = "imports/mini", sampleRate = 16000, segmentSeconds = 20 }));
        var done = await WaitAsync(id, "Succeeded");
        Assert.Contains("2 tracks", done.GetProperty("result").GetString());
        Assert.Equal(100, done.GetProperty("progressPercent").GetDouble());

        var dataset = (await admin.GetJsonAsync("/api/admin/datasets")).GetProperty("imported").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "imports/mini");
        var splits = dataset.GetProperty("splits").EnumerateArray().ToDictionary(s => s.GetProperty("split").GetString()!);
        Assert.Equal(["train", "test"], splits.Keys);
        Assert.Equal(3, splits["train"].GetProperty("stems").GetInt32());
        Assert.Equal(2, splits["test"].GetProperty("stems").GetInt32());
        Assert.Equal(1, splits["test"].GetProperty("tracks").GetInt32());
        var categories = dataset.GetProperty("categories").EnumerateArray().ToDictionary(c => c.GetProperty("category").GetString()!);
        Assert.Equal([1, 0], categories["Drums"].GetProperty("stems").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1, 1], categories["Bass"].GetProperty("stems").EnumerateArray().Select(e => e.GetInt32()));
        // one 20 s segment of bass per split: 20/3600 h each
        Assert.All(categories["Bass"].GetProperty("hours").EnumerateArray(), h => Assert.Equal(20.0 / 3600, h.GetDouble(), 4));

        var page = await admin.Http.GetStringAsync("/admin/datasets");
        Assert.Contains("imports/mini", page);
        Assert.Contains("category-chart", page);
    }

    [Fact]
    public async Task A_token_cache_is_built_with_a_codec_and_listed()
    {
        TestDatasets.Write(Root, "tiny", songs: 2, seconds: 2, split: "train");
        var codecs = (await admin.GetJsonAsync("/api/admin/datasets")).GetProperty("codecs").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("codec-tiny.safetensors", codecs);

        var id = await StartedAsync(await admin.Http.PostAsJsonAsync("/api/admin/datasets/tokens",
            new { dataset = "tiny", codec = "codec-tiny.safetensors", splits = new[] { "train" }, submixes = 1 }));
        var done = await WaitAsync(id, "Succeeded", 300);
        Assert.Contains("train 2 segments", done.GetProperty("result").GetString());

        var dataset = (await admin.GetJsonAsync("/api/admin/datasets")).GetProperty("imported").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "tiny");
        var cache = Assert.Single(dataset.GetProperty("tokenCaches").EnumerateArray());
        Assert.True(cache.GetProperty("files").GetInt32() >= 2 * 3, cache.ToString()); // three stems a song, and the submixes
    }

    [Fact]
    public async Task A_synthetic_render_runs_as_a_job_and_can_be_cancelled()
    {
        var big = await StartedAsync(await admin.Http.PostAsJsonAsync("/api/admin/datasets/synthesize", new { output = "synth-big", hours = 50, seed = 3, style = "listening" }));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/admin/datasets/tasks/{big}/cancel", null)).StatusCode);
        var cancelled = await WaitAsync(big, "Cancelled");
        Assert.StartsWith("cancelled", cancelled.GetProperty("phase").GetString());
        Assert.False(Directory.Exists(Path.Combine(Root, "synth-big")), "the partial render is removed");
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Http.PostAsync($"/api/admin/datasets/tasks/{big}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.PostAsync("/api/admin/datasets/tasks/999/cancel", null)).StatusCode);

        // The cancelled render's name is free again.
        var id = await StartedAsync(await admin.Http.PostAsJsonAsync("/api/admin/datasets/synthesize", new { output = "synth-big", hours = 0.01, seed = 3, style = "listening" }));
        var done = await WaitAsync(id, "Succeeded", 300);
        Assert.StartsWith("1 song,", done.GetProperty("result").GetString());
        Assert.Contains("synth-big", (await admin.GetJsonAsync("/api/admin/datasets")).GetProperty("slakhFolders").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Hostile_paths_are_refused_with_a_reason_and_store_nothing()
    {
        WriteSlakh(Path.Combine(Root, "slakh-mini"));
        var outside = Path.Combine(Path.GetTempPath(), "stemgen-outside-" + Guid.NewGuid().ToString("N"));
        WriteSlakh(outside);
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(Root, "link-out"), outside);
            // a Slakh folder under the root whose stem is a link to a file outside it
            var sneaky = WriteSlakh(Path.Combine(Root, "sneaky"));
            var stem = Path.Combine(sneaky, "train", "Track00001", "stems", "S00.wav");
            File.Delete(stem);
            File.CreateSymbolicLink(stem, Path.Combine(outside, "train", "Track00001", "stems", "S00.wav"));
            Directory.CreateSymbolicLink(Path.Combine(Root, "out-dir"), outside);

            var cases = new (string Url, object Body, string Message)[]
            {
                ("import", new { source = "../..", output = "x" }, "'..' is not allowed"),
                ("import", new { source = "slakh-mini/../../..", output = "x" }, "'..' is not allowed"),
                ("import", new { source = outside, output = "x" }, "outside the datasets root"),
                ("import", new { source = "/etc", output = "x" }, "outside the datasets root"),
                ("import", new { source = "link-out", output = "x" }, "outside the datasets root"),
                ("import", new { source = "sneaky", output = "x" }, "link out of the datasets root"),
                ("import", new { source = "slakh-mini", output = "../escape" }, "'..' is not allowed"),
                ("import", new { source = "slakh-mini", output = "/tmp/escape" }, "outside the datasets root"),
                ("import", new { source = "slakh-mini", output = "out-dir/new" }, "outside the datasets root"),
                ("import", new { source = "slakh-mini", output = "" }, "choose a dataset"),
                ("synthesize", new { output = "../../synth", hours = 0.01 }, "'..' is not allowed"),
                ("synthesize", new { output = "out-dir", hours = 0.01 }, "outside the datasets root"),
                ("synthesize", new { output = ".", hours = 0.01 }, "not the root itself"),
                ("tokens", new { dataset = "../tiny", codec = "codec-tiny.safetensors" }, "'..' is not allowed"),
                ("tokens", new { dataset = "link-out", codec = "codec-tiny.safetensors" }, "outside the datasets root"),
            };
            await AssertRefusedAsync(cases);
            Assert.Equal(0, await TaskCountAsync());
            Assert.False(Directory.Exists(Path.Combine(outside, "new")));
            Assert.False(File.Exists("/tmp/escape/manifest.json"));
        }
        finally { Directory.Delete(outside, recursive: true); }
    }

    /// <summary>Each request is refused with 400 and its message.</summary>
    private async Task AssertRefusedAsync((string Url, object Body, string Message)[] cases)
    {
        foreach (var (url, body, message) in cases)
        {
            var response = await admin.Http.PostAsJsonAsync($"/api/admin/datasets/{url}", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} {JsonSerializer.Serialize(body)}: {response.StatusCode} {text}");
            Assert.Contains(message, text);
        }
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_message_and_changes_nothing()
    {
        WriteSlakh(Path.Combine(Root, "slakh-mini"));
        TestDatasets.Write(Root, "tiny", songs: 1, seconds: 1, split: "test");
        Directory.CreateDirectory(Path.Combine(Root, "not-slakh", "photos"));
        File.WriteAllText(Path.Combine(Root, "not-slakh", "photos", "a.txt"), "hello");
        Directory.CreateDirectory(Path.Combine(Root, "taken"));
        File.WriteAllText(Path.Combine(Root, "taken", "keep.txt"), "mine");

        var cases = new (string Url, object Body, string Message)[]
        {
            ("import", new { source = "not-slakh", output = "x" }, "is not a Slakh-format folder"),
            ("import", new { source = "no-such-folder", output = "x" }, "unknown dataset 'no-such-folder'"),
            ("import", new { source = "slakh-mini", output = "taken" }, "already exists and is not empty"),
            ("import", new { source = "slakh-mini", output = "slakh-mini/inside" }, "overlaps the source folder"),
            ("import", new { source = "slakh-mini", output = "x", sampleRate = 100 }, "sample rate must be between"),
            ("import", new { source = "slakh-mini", output = "x", segmentSeconds = 5 }, "segment length must be 20 to 600 s"),
            ("synthesize", new { output = "s", hours = 0 }, "hours must be more than 0"),
            ("synthesize", new { output = "s", hours = -1 }, "hours must be more than 0"),
            ("synthesize", new { output = "s", hours = 1000 }, "at most 100"),
            ("synthesize", new { output = "s", hours = 0.01, style = "loud" }, "style must be songs, listening or mixed"),
            ("synthesize", new { output = "taken", hours = 0.01 }, "already exists and is not empty"),
            ("tokens", new { dataset = "unknown-set", codec = "codec-tiny.safetensors" }, "unknown dataset 'unknown-set'"),
            ("tokens", new { dataset = "slakh-mini", codec = "codec-tiny.safetensors" }, "is not an imported dataset"),
            ("tokens", new { dataset = "tiny", codec = "codec-huge.safetensors" }, "unknown codec 'codec-huge.safetensors'"),
            ("tokens", new { dataset = "tiny", codec = "codec-tiny.safetensors", splits = new[] { "validation" } }, "has no 'validation' split (it has test)"),
            ("tokens", new { dataset = "tiny", codec = "codec-tiny.safetensors" }, "choose the splits to encode"),
            ("tokens", new { dataset = "tiny", codec = "codec-tiny.safetensors", splits = new[] { "test" }, submixes = 0 }, "submixes per segment must be 1 to 64"),
        };
        await AssertRefusedAsync(cases);
        Assert.Equal(0, await TaskCountAsync());
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Root, "taken", "keep.txt")));
        Assert.False(Directory.Exists(Path.Combine(Root, "x")));
        Assert.False(Directory.Exists(Path.Combine(Root, "s")));
    }

    [Fact]
    public async Task The_datasets_page_and_endpoints_are_for_admins_only()
    {
        var listener = await factory.RegisterListenerAsync("ds-listener");
        var collaborator = await factory.RegisterAsync("ds-collaborator"); // a new account has no site role
        await collaborator.CreateProjectAsync("Mine");
        var anonymous = factory.NewClient();
        await anonymous.FetchApiTokenAsync();
        var taskId = await StartedAsync(await admin.Http.PostAsJsonAsync("/api/admin/datasets/synthesize", new { output = "authz", hours = 50, seed = 1 }));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/admin/datasets/tasks/{taskId}/cancel", null)).StatusCode);

        var gets = new[] { "/api/admin/datasets", "/api/admin/datasets/tasks", $"/api/admin/datasets/tasks/{taskId}" };
        var posts = new (string Url, object Body)[]
        {
            ("/api/admin/datasets/import", new { source = "a", output = "b" }),
            ("/api/admin/datasets/synthesize", new { output = "c", hours = 0.01 }),
            ("/api/admin/datasets/tokens", new { dataset = "a", codec = "codec-tiny.safetensors" }),
            ($"/api/admin/datasets/tasks/{taskId}/cancel", new { }),
        };
        foreach (var (client, expected) in new[] { (anonymous, HttpStatusCode.Unauthorized), (collaborator, HttpStatusCode.Forbidden), (listener, HttpStatusCode.Forbidden) })
        {
            foreach (var url in gets) Assert.Equal(expected, (await client.Http.GetAsync(url)).StatusCode);
            foreach (var (url, body) in posts) Assert.Equal(expected, (await client.Http.PostAsJsonAsync(url, body)).StatusCode);
        }
        foreach (var url in gets) Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(url)).StatusCode);
        Assert.Equal(1, await TaskCountAsync()); // nothing the others sent was stored

        var page = await anonymous.Http.GetAsync("/admin/datasets");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location!.OriginalString.Replace("http://localhost", ""));
        foreach (var client in new[] { collaborator, listener })
        {
            var denied = await client.Http.GetAsync("/admin/datasets");
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.StartsWith("/account/denied", denied.Headers.Location!.OriginalString.Replace("http://localhost", ""));
        }
        var granted = await admin.Http.GetAsync("/admin/datasets");
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Contains("datasets-root", await granted.Content.ReadAsStringAsync());
    }

    public sealed class Sqlite() : DatasetTests(TestDatabase.Sqlite);

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class Postgres(PostgresServer server) : DatasetTests(server.NewDatabase());
}
