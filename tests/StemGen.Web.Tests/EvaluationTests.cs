using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Evaluation.Suite;
using StemGen.Web.Data;
using StemGen.Web.Evaluations;
using Xunit.Abstractions;

namespace StemGen.Web.Tests;

/// <summary>
/// Evaluations over HTTP: the shipped tiny model on a tiny test split (3 examples of 1.5 s, 2+1+1+1 decoding steps)
/// scores table 3, a one-scale table 1 and the mismatched baseline; the stored report agrees with its JSON and CSV
/// downloads; bad input is refused with a reason and stores nothing; a running evaluation can be cancelled.
/// </summary>
/// <remarks>Runs on SQLite and on PostgreSQL (the nested <see cref="Sqlite"/> and <see cref="Postgres"/> classes).</remarks>
public abstract class EvaluationTests(TestDatabase database, ITestOutputHelper output) : IAsyncLifetime
{
    internal const string Model = "models/stemgen-tiny.safetensors";
    private readonly StudioFactory factory = new(database: database, settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "ev-admin" });
    private StudioClient admin = null!;

    public async Task InitializeAsync()
    {
        admin = await factory.RegisterAsync("ev-admin");
        TestDatasets.Write(Path.Combine(factory.DataDirectory, "datasets"), "tiny", songs: 3, seconds: 4, split: "test");
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    /// <summary>The small evaluation of these tests: table 3, table 1 at one scale, the baseline.</summary>
    internal static object Small(string dataset = "tiny") => new
    {
        model = Model, dataset, split = "test", runs = "table3,table1,baseline", examples = 3, seconds = 1.5, steps = "2,1,1,1", table1Scales = "2", seed = 2,
    };

    private async Task<int> LaunchAsync(object request)
    {
        var response = await admin.Http.PostAsJsonAsync("/api/admin/evaluations", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
    }

    private async Task<JsonElement> WaitAsync(int id, Func<JsonElement, bool> until, string what, int seconds = 300)
    {
        return await Poll.UntilAsync(() => admin.GetJsonAsync($"/api/admin/evaluations/{id}"), run =>
        {
            if (until(run)) return true;
            Assert.True(State(run) is "Queued" or "Running", $"evaluation {id} ended before {what}: {run}");
            return false;
        }, seconds, $"evaluation {id}: {what}");
    }

    private static string State(JsonElement run) => run.GetProperty("state").GetString()!;

    [Fact]
    public async Task A_small_evaluation_stores_its_report_and_serves_the_same_numbers_as_json_and_csv()
    {
        var clock = Stopwatch.StartNew();
        var id = await LaunchAsync(Small());
        var run = await WaitAsync(id, r => State(r) == "Succeeded", "success");
        output.WriteLine($"small evaluation: {clock.Elapsed.TotalSeconds:0.0} s ({run.GetProperty("phase").GetString()})");
        Assert.Equal(100, run.GetProperty("percent").GetDouble());
        Assert.Equal("table3,table1,baseline", run.GetProperty("runs").GetString());
        var stored = EvaluationReport.FromJson(run.GetProperty("report").GetRawText());

        // Every setting asked for, each on the 3 examples, with the embedding named.
        Assert.Equal([EvaluationRunner.MismatchedBaseline, "table3 naive", "table3 best", "table1 li=1 la=1 la=1 li=1", "table1 li>1 la=1 la=1 li=2",
            "table1 li=1 la>1 la=2 li=1", "table1 li>1 la>1 la=2 li=2"], stored.Points.Select(p => p.Name));
        Assert.All(stored.Points, p => Assert.Equal(3, p.Examples));
        Assert.Equal(3, stored.Examples);
        Assert.Equal(1.5, stored.ClipSeconds, 6);
        Assert.Equal("logmel-stats", stored.Embedding);
        Assert.All(stored.Points, p => Assert.Equal("logmel-stats", p.Fad.Embedding));
        Assert.Contains(stored.Cells, c => c is { Table: "table3", Cell: "naive" });
        Assert.Contains(stored.Cells, c => c is { Table: "table3", Cell: "best" });
        Assert.Contains(stored.Cells, c => c is { Table: "baseline", Cell: "mismatched" });
        Assert.All(stored.Cells, c => Assert.True(double.IsFinite(c.Fad) && c.Fad >= 0, $"{c.Table} {c.Cell}: FAD {c.Fad}"));
        Assert.All(stored.Points.Skip(1), p => Assert.Equal([2, 1, 1, 1], p.Sampling.Steps));

        // The downloads are the stored report.
        var json = await admin.Http.GetAsync($"/api/admin/evaluations/{id}/report.json");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"evaluation-{id}-report.json", json.Content.Headers.ContentDisposition!.FileNameStar ?? json.Content.Headers.ContentDisposition.FileName);
        var downloaded = EvaluationReport.FromJson(await json.Content.ReadAsStringAsync());
        Assert.Equal(stored.Cells, downloaded.Cells);
        var csv = await admin.Http.GetAsync($"/api/admin/evaluations/{id}/report.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(stored.Points.Count + 1, lines.Length);
        var header = lines[0].Split(',').ToList();
        var best = lines.Single(l => l.StartsWith("\"table3 best\"", StringComparison.Ordinal)).Split(',');
        var bestPoint = stored.Points.Single(p => p.Name == "table3 best");
        Assert.Equal(bestPoint.Fad.Fad, double.Parse(best[header.IndexOf("fad")], CultureInfo.InvariantCulture), 5);
        Assert.Equal(bestPoint.Mirdd.Mirdd, double.Parse(best[header.IndexOf("mirdd")], CultureInfo.InvariantCulture), 5);
        Assert.Equal("3", best[header.IndexOf("examples")]);
        Assert.Equal("logmel-stats", best[header.IndexOf("embedding")]);

        // The page shows the tables (captioned with n and the embedding) and the plots.
        var page = await admin.Http.GetStringAsync($"/admin/evaluations/{id}");
        foreach (var part in new[] { "table-1", "table-3", "table-descriptors", "table-coherence", "plot-guidance-fad", "plot-coherence", "n = 3 examples of 1.5 s; FAD embedding logmel-stats" })
            Assert.Contains(part, page);
        Assert.Contains(bestPoint.Fad.Fad.ToString("0.000", CultureInfo.InvariantCulture), page);
        var compare = await admin.Http.GetStringAsync($"/admin/evaluations/compare?a={id}&b={id}");
        Assert.Contains("value-diff", compare);
        Assert.Contains("(0.000)", compare);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_message_and_stores_nothing()
    {
        TestDatasets.Write(Path.Combine(factory.DataDirectory, "datasets"), "one-song", songs: 1, seconds: 4, split: "test");
        var cases = new (object Body, string Message)[]
        {
            (new { model = "models/none.safetensors", dataset = "tiny" }, "unknown model 'models/none.safetensors'"),
            (new { model = "models/codec-tiny.safetensors", dataset = "tiny" }, "unknown model 'models/codec-tiny.safetensors'"), // a codec is no model
            (new { model = Model, dataset = "nowhere" }, "unknown dataset 'nowhere'"),
            (new { model = Model, dataset = "../tiny" }, "'..' is not allowed"),
            (new { model = Model, dataset = "tiny", split = "validation" }, "the 'validation' split of 'tiny' has no tracks"),
            (new { model = Model, dataset = "one-song", runs = "baseline" }, "has a single song"),
            (new { model = Model, dataset = "tiny", examples = 1 }, "examples must be 2 to 400"),
            (new { model = Model, dataset = "tiny", examples = 401 }, "examples must be 2 to 400"),
            (new { model = Model, dataset = "tiny", seconds = 0 }, "seconds must be 1 to 60"),
            (new { model = Model, dataset = "tiny", embedding = "vggish" }, "none ship with the studio"),
            (new { model = Model, dataset = "tiny", embedding = "clap" }, "unknown embedding 'clap'"),
            (new { model = Model, dataset = "tiny", runs = "table3,table9" }, "unknown run 'table9'"),
            (new { model = Model, dataset = "tiny", runs = "" }, "choose at least one run"),
            (new { model = Model, dataset = "tiny", runs = "table1", table1Scales = "NaN" }, "table 1 scales: 'NaN' is not a finite number"),
            (new { model = Model, dataset = "tiny", runs = "table1", table1Scales = "1" }, "guidance scales must all be greater than 1"),
            (new { model = Model, dataset = "tiny", runs = "table2", table2Ws = "-0.1" }, "w_s values must be finite and >= 0"),
            (new { model = Model, dataset = "tiny", runs = "steps", stepsGrid = "0,4" }, "steps grid values must be whole numbers from 1"),
            (new { model = Model, dataset = "tiny", runs = "steps", stepsGrid = "" }, "steps grid: give at least one number"),
            (new { model = Model, dataset = "tiny", steps = "2,0,1,1" }, "steps per level must be whole numbers"),
            (new { model = Model, dataset = "tiny", seed = -1 }, "the seed must be 0 or more"),
        };
        foreach (var (body, message) in cases)
        {
            var response = await admin.Http.PostAsJsonAsync("/api/admin/evaluations", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(body)}: {response.StatusCode} {text}");
            Assert.Contains(message, text);
        }
        await using var scope = factory.Services.CreateAsyncScope();
        // NaN cannot travel in JSON numbers; the page's form reaches the service with it.
        var e = await Assert.ThrowsAsync<StudioValidationException>(() => scope.ServiceProvider.GetRequiredService<EvaluationService>()
            .LaunchAsync("x", new EvaluationRequest(Model, "tiny", Seconds: double.NaN)));
        Assert.Contains("seconds must be 1 to 60, not NaN", e.Message);
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<StudioDbContext>().EvaluationRuns.CountAsync());
        Assert.Empty((await admin.GetJsonAsync("/api/admin/evaluations")).EnumerateArray());
    }

    [Fact]
    public async Task A_running_evaluation_can_be_cancelled_and_has_no_report()
    {
        var id = await LaunchAsync(new { model = Model, dataset = "tiny", runs = "table2,table3", examples = 30, seconds = 4, steps = "16,8,4,4", seed = 3 });
        await WaitAsync(id, r => State(r) == "Running" && r.GetProperty("percent").GetDouble() > 0, "progress");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/admin/evaluations/{id}/cancel", null)).StatusCode);
        var cancelled = await WaitAsync(id, r => State(r) == "Cancelled", "cancel", 120);
        Assert.StartsWith("cancelled at", cancelled.GetProperty("phase").GetString());
        Assert.Equal(JsonValueKind.Null, cancelled.GetProperty("report").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PostAsync($"/api/admin/evaluations/{id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync($"/api/admin/evaluations/{id}/report.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync($"/api/admin/evaluations/{id}/report.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/api/admin/evaluations/999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.PostAsync("/api/admin/evaluations/999/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task An_evaluation_interrupted_by_a_studio_stop_runs_again_and_succeeds()
    {
        var id = await LaunchAsync(new { model = Model, dataset = "tiny", runs = "table3,baseline", examples = 12, seconds = 3, steps = "8,4,2,2", seed = 4 });
        await WaitAsync(id, r => State(r) == "Running" && r.GetProperty("percent").GetDouble() > 0, "progress");
        await factory.DisposeAsync(); // the studio stops mid-run: the job goes back to the queue, the row stays Running

        await using var restarted = new StudioFactory(dataDirectory: factory.DataDirectory, database: database, settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "ev-admin" });
        var again = restarted.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await again.LoginAsync("ev-admin", "secret123")).StatusCode);
        var run = await Poll.UntilAsync(() => again.GetJsonAsync($"/api/admin/evaluations/{id}"), r =>
        {
            if (State(r) == "Succeeded") return true;
            Assert.True(State(r) is "Queued" or "Running", r.ToString());
            return false;
        }, seconds: 300, $"evaluation {id} did not run again", intervalMs: 300);
        var report = EvaluationReport.FromJson(run.GetProperty("report").GetRawText());
        Assert.Equal(12, report.Examples);
        Assert.Equal(3, report.Points.Count);
    }

    [Fact]
    public async Task Evaluation_pages_and_endpoints_are_for_admins_only()
    {
        var listener = await factory.RegisterAsync("ev-listener");
        var collaborator = await factory.RegisterAsync("ev-collaborator");
        await collaborator.CreateProjectAsync("Mine");
        var anonymous = factory.NewClient();
        await anonymous.FetchApiTokenAsync();
        foreach (var (client, expected) in new[] { (anonymous, HttpStatusCode.Unauthorized), (listener, HttpStatusCode.Forbidden), (collaborator, HttpStatusCode.Forbidden) })
        {
            foreach (var url in new[] { "/api/admin/evaluations", "/api/admin/evaluations/1", "/api/admin/evaluations/1/report.json", "/api/admin/evaluations/1/report.csv" })
                Assert.Equal(expected, (await client.Http.GetAsync(url)).StatusCode);
            Assert.Equal(expected, (await client.Http.PostAsJsonAsync("/api/admin/evaluations", Small())).StatusCode);
            Assert.Equal(expected, (await client.Http.PostAsync("/api/admin/evaluations/1/cancel", null)).StatusCode);
            foreach (var page in new[] { "/admin/evaluations", "/admin/evaluations/1", "/admin/evaluations/compare?a=1&b=2" })
            {
                var response = await client.Http.GetAsync(page);
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.StartsWith(client == anonymous ? "/account/login" : "/account/denied", response.Headers.Location!.OriginalString.Replace("http://localhost", ""));
            }
        }
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<StudioDbContext>().EvaluationRuns.CountAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/admin/evaluations")).StatusCode);
        Assert.Contains("Choose two finished evaluations", await admin.Http.GetStringAsync("/admin/evaluations/compare"));
    }

    public sealed class Sqlite(ITestOutputHelper output) : EvaluationTests(TestDatabase.Sqlite, output);

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class Postgres(PostgresServer server, ITestOutputHelper output) : EvaluationTests(server.NewDatabase(), output);
}
