using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Events;
using StemGen.Web.Hubs;
using StemGen.Web.Tests.Browser;

namespace StemGen.Web.Tests;

/// <summary>
/// The multi-machine set-up on one machine: a real PostgreSQL, the studio (no job server of its own),
/// and two GPU-worker processes that reach it only over HTTP and SignalR. One worker is killed with
/// SIGKILL in the middle of a job; the other takes that job over, and every job ends once, complete.
/// </summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
[Collection(PostgresServer.Collection)]
public sealed class WorkerProcessTests(PostgresServer postgres, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Key = "test-worker-key-0123456789abcdef";
    private const int WorkerTimeoutSeconds = 6;

    [Fact]
    public async Task Two_workers_share_the_jobs_and_a_killed_workers_job_finishes_elsewhere_once()
    {
        var database = postgres.NewDatabase();
        await using var studio = new KestrelStudioFactory(shippedModel: true, database: database, settings: new Dictionary<string, string>
        {
            ["Jobs:Storage"] = "Postgres", ["Jobs:RunInStudio"] = "false", ["Jobs:WorkerKeys:0"] = Key, ["Quotas:MaxQueuedJobsPerUser"] = "100", // one user queues every job of the test
            ["Jobs:WorkerTimeoutSeconds"] = WorkerTimeoutSeconds.ToString(), ["Jobs:PollIntervalSeconds"] = "0.5", ["Studio:Admins:0"] = "wp-admin",
        });
        var baseUrl = studio.Start();
        var workers = new Dictionary<string, WorkerProcess>();
        try
        {
            // A composer with two projects, each with a context stem, and two jobs in each.
            var cookies = new CookieContainer();
            var client = new StudioClient(new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) });
            Assert.Equal(HttpStatusCode.Redirect, (await client.RegisterAsync("composer", "secret123")).StatusCode);
            await client.FetchApiTokenAsync();
            var projects = new List<(int Project, int Stem)>();
            foreach (var name in new[] { "Song A", "Song B" })
            {
                var project = await client.CreateProjectAsync(name);
                var upload = await client.UploadAsync(project, ("drums.wav", TestAudio.Wav(3.0, 220, sampleRate: 32000)));
                Assert.True(upload.StatusCode == HttpStatusCode.OK, $"upload: {(int)upload.StatusCode} {await upload.Content.ReadAsStringAsync()}");
                var stem = (await upload.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetInt32();
                projects.Add((project, stem));
            }

            // A page's view: the project hub, as any SignalR client of a member sees it.
            var progress = new ConcurrentQueue<JobProgressEvent>();
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(new Uri(baseUrl), "hubs/project"), o => o.Cookies = cookies)
                .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
                .Build();
            hub.On<JobProgressEvent>("progress", progress.Enqueue);
            await hub.StartAsync();
            foreach (var (project, _) in projects) await hub.InvokeAsync("JoinProject", project);

            foreach (var name in new[] { "worker-a", "worker-b" })
                workers[name] = WorkerProcess.Start(name, baseUrl, Key, database.ConnectionString!, WorkerTimeoutSeconds, Path.Combine(studio.DataDirectory, $"models-of-{name}"));

            var jobs = new List<(int Project, int Job)>();
            var enqueuedAt = new Dictionary<int, DateTime>();
            foreach (var (project, stem) in projects)
                for (var i = 0; i < 2; i++)
                {
                    var response = await client.Http.PostAsJsonAsync($"/api/projects/{project}/jobs",
                        new { contextStemIds = new[] { stem }, category = i == 0 ? "Bass" : "Piano", preset = "best", seed = 11 + i }, StudioClient.Json);
                    Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                    jobs.Add((project, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32()));
                    enqueuedAt[jobs[^1].Job] = DateTime.UtcNow;
                }
            var firstProgress = new Dictionary<int, DateTime>();
            hub.On<JobProgressEvent>("progress", e => { lock (firstProgress) if (e.Percent > 0) firstProgress.TryAdd(e.JobId, DateTime.UtcNow); });

            // Kill worker A with SIGKILL once it is well into a job.
            var victim = await Poll.LatestAsync(() => Task.FromResult(progress.FirstOrDefault(e =>
                e.Device?.Contains("worker-a") == true && e.State == StemGen.Web.Data.TaskState.Running && e.Percent is > 5 and < 60)), v => v is not null, seconds: 180, intervalMs: 50);
            Assert.True(victim is not null, $"worker A never got going; its log: {workers["worker-a"].Log}");
            workers["worker-a"].Kill();

            // Every job ends Succeeded, the victim's on worker B after a second attempt.
            var finished = new List<JsonElement>();
            foreach (var (project, job) in jobs)
            {
                var result = await GenerationTests.WaitForJobAsync(client, project, job, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled", seconds: 300);
                Assert.True(result.GetProperty("state").GetString() == "Succeeded", $"{result}; worker B's log: {workers["worker-b"].Log}");
                finished.Add(result);
            }
            foreach (var job in finished)
            {
                var candidates = job.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()).ToList();
                Assert.Equal([0], candidates); // one variation asked, one stored: no duplicate after the retry
            }
            // Remote workers store candidates loudness-matched to their context, as the studio's own server does.
            var (levelProject, levelStem) = projects[0];
            var levelJob = finished.First(j => jobs.Contains((levelProject, j.GetProperty("id").GetInt32())));
            var stored = await TempoTests.ReadAsync(await client.Http.GetAsync(
                $"/api/projects/{levelProject}/candidates/{levelJob.GetProperty("candidates")[0].GetProperty("id").GetInt32()}/audio"));
            GeneratedLevelTests.AssertMatched(stored, await GeneratedLevelTests.ContextLufsAsync(client, levelProject, [levelStem]));
            var taken = finished.Single(j => j.GetProperty("id").GetInt32() == victim!.JobId);
            Assert.True(taken.GetProperty("attempts").GetInt32() >= 2, taken.ToString());
            Assert.Contains("worker-b", taken.GetProperty("device").GetString());
            Assert.Contains(progress, e => e.Device?.Contains("worker-a") == true);
            Assert.Contains(progress, e => e.Device?.Contains("worker-b") == true);
            // The first two jobs started at once on idle workers: how long from enqueue to the first step on a page.
            foreach (var (_, job) in jobs.Take(2))
                if (firstProgress.TryGetValue(job, out var first)) output.WriteLine($"job {job}: enqueue to first progress {(first - enqueuedAt[job]).TotalSeconds:0.00} s");

            // Cancel on the page reaches the remote worker's running job within a second or two.
            var (cancelProject, cancelStem) = projects[0];
            var started = await client.Http.PostAsJsonAsync($"/api/projects/{cancelProject}/jobs",
                new { contextStemIds = new[] { cancelStem }, category = "Guitar", preset = "best" }, StudioClient.Json);
            var cancelJob = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
            await GenerationTests.WaitForJobAsync(client, cancelProject, cancelJob, j => j.GetProperty("percent").GetDouble() > 0, seconds: 60);
            var asked = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.Accepted, (await client.Http.PostAsync($"/api/projects/{cancelProject}/jobs/{cancelJob}/cancel", null)).StatusCode);
            var cancelled = await GenerationTests.WaitForJobAsync(client, cancelProject, cancelJob, j => j.GetProperty("state").GetString() != "Running", seconds: 10);
            Assert.Equal("Cancelled", cancelled.GetProperty("state").GetString());
            output.WriteLine($"cancel reached worker B and ended the job in {asked.Elapsed.TotalSeconds:0.00} s");
            Assert.True(asked.Elapsed < TimeSpan.FromSeconds(3), $"cancel took {asked.Elapsed.TotalSeconds:0.0} s");

            // An admin serves another model: worker B fetches its file by hash over HTTP, loads it and records it on the job.
            var admin = new StudioClient(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(baseUrl) });
            Assert.Equal(HttpStatusCode.Redirect, (await admin.LoginAsync("wp-admin", "secret123")).StatusCode); // made by the operator (the factory)
            await admin.FetchApiTokenAsync();
            var run = await ModelServingTests.AddExportedRunAsync(studio.Services, studio.DataDirectory, "wp-admin");
            var served = await admin.Http.PostAsJsonAsync("/api/admin/models/serve", new { name = run });
            Assert.True(served.StatusCode == HttpStatusCode.OK, await served.Content.ReadAsStringAsync());
            var sha = (await served.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sha256").GetString();
            var next = await client.Http.PostAsJsonAsync($"/api/projects/{cancelProject}/jobs",
                new { contextStemIds = new[] { cancelStem }, category = "Bass", preset = "fast" }, StudioClient.Json);
            var nextJob = (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
            var switched = await GenerationTests.WaitForJobAsync(client, cancelProject, nextJob, j => j.GetProperty("state").GetString() is "Succeeded" or "Failed", seconds: 120);
            Assert.True(switched.GetProperty("state").GetString() == "Succeeded", $"{switched}; worker B's log: {workers["worker-b"].Log}");
            Assert.Equal(run, switched.GetProperty("model").GetString());
            Assert.True(File.Exists(Path.Combine(workers["worker-b"].ModelCache, $"{sha}.safetensors")), workers["worker-b"].Log);
        }
        finally
        {
            foreach (var worker in workers.Values) worker.Dispose();
            studio.DeleteData();
        }
    }

    /// <summary>A worker host as an operator runs it: its own process, configured by environment variables.</summary>
    private sealed class WorkerProcess : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> lines = new();

        private WorkerProcess(Process process, string modelCache) => (this.process, ModelCache) = (process, modelCache);

        public string ModelCache { get; }

        public string Log => string.Join("\n", lines.TakeLast(40));

        public static WorkerProcess Start(string name, string studioUrl, string key, string connectionString, int timeoutSeconds, string modelCache)
        {
            var info = new ProcessStartInfo("dotnet", [WorkerAssembly()])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                Environment =
                {
                    ["Worker__StudioUrl"] = studioUrl, ["Worker__Key"] = key, ["Worker__Name"] = name, ["Worker__Device"] = "cpu", ["Worker__ModelCache"] = modelCache,
                    ["Worker__Queues__0"] = "gpu", ["Jobs__WorkerTimeoutSeconds"] = timeoutSeconds.ToString(), ["Jobs__PollIntervalSeconds"] = "0.5",
                    ["ConnectionStrings__Hangfire"] = connectionString,
                    ["STEMGEN_TORCH_THREADS"] = "1", // two workers and the studio share the test machine
                    ["DOTNET_ENVIRONMENT"] = "Production",
                },
            };
            var worker = new WorkerProcess(Process.Start(info)!, modelCache);
            worker.process.OutputDataReceived += (_, e) => { if (e.Data is { } line) worker.lines.Enqueue(line); };
            worker.process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) worker.lines.Enqueue(line); };
            worker.process.BeginOutputReadLine();
            worker.process.BeginErrorReadLine();
            return worker;
        }

        /// <summary>SIGKILL: no shutdown, no goodbye to Hangfire or the studio.</summary>
        public void Kill() => process.Kill(entireProcessTree: true);

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            process.Dispose();
        }

        /// <summary>The worker built beside these tests, in the same configuration (the test project builds it first).</summary>
        private static string WorkerAssembly()
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory); // tests/StemGen.Web.Tests/bin/<Configuration>/net10.0/
            var configuration = output.Parent!.Name;
            var framework = output.Name;
            var root = output;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "StemGen.Web.sln"))) root = root.Parent;
            var path = Path.Combine(root!.FullName, "src", "StemGen.Worker", "bin", configuration, framework, "StemGen.Worker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"the worker is not built: {path} (dotnet build StemGen.Web.sln)");
        }
    }
}
