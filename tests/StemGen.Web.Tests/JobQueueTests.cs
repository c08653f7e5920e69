using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StemGen.Web.Jobs;

namespace StemGen.Web.Tests;

/// <summary>
/// Queues by who can run them: settings that would leave a queue without a consumer stop the studio at start with a
/// message naming the queue; with <c>Jobs:RunInStudio=false</c> the studio still runs every task that only it can run.
/// </summary>
public sealed class JobQueueTests
{
    private static string StartFailure(params (string Key, string Value)[] settings) => DatabaseOptionsTests.StartFailure(settings);

    [Fact]
    public void Generation_left_to_workers_that_cannot_come_is_refused_naming_the_queue()
    {
        Assert.Contains("Jobs:RunInStudio is false but Jobs:WorkerKeys is empty, so no GPU worker is accepted: nothing would run the generation queue 'gpu'",
            StartFailure(("Jobs:RunInStudio", "false")));
        Assert.Contains("Jobs:Storage is Sqlite, and GPU workers take jobs from PostgreSQL only: nothing would run the generation queue 'gpu'",
            StartFailure(("Jobs:RunInStudio", "false"), ("Jobs:WorkerKeys:0", "a-worker-key-0123456789abcdef0123456789")));
    }

    [Fact]
    public void One_queue_for_both_kinds_is_refused() =>
        Assert.Contains("Jobs:Queues:Generation and Jobs:Queues:Studio are both 'jobs'",
            StartFailure(("Jobs:Queues:Generation", "jobs"), ("Jobs:Queues:Studio", "jobs")));

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class WithWorkers(PostgresServer postgres)
    {
        [Fact]
        public async Task With_generation_on_workers_the_studio_still_runs_the_tasks_only_it_can_run()
        {
            await using var factory = new StudioFactory(database: postgres.NewDatabase(), settings: new Dictionary<string, string>
            {
                ["Jobs:Storage"] = "Postgres", ["Jobs:RunInStudio"] = "false", ["Jobs:WorkerKeys:0"] = "a-worker-key-0123456789abcdef0123456789", ["Studio:Admins:0"] = "q-admin",
            });
            try
            {
                var admin = await factory.SignInAsync("q-admin");
                // The studio's server takes the studio queue and leaves generation to the workers.
                var queues = factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers().SelectMany(s => s.Queues).ToList();
                var options = factory.Services.GetRequiredService<IOptions<JobsOptions>>().Value;
                Assert.Contains(options.Queues.Studio, queues);
                Assert.DoesNotContain(options.Queues.Generation, queues);

                // A studio-only task (a synthetic render) runs to the end.
                var response = await admin.Http.PostAsJsonAsync("/api/admin/datasets/synthesize", new { output = "synth-q", hours = 0.01, seed = 3, style = "listening" });
                Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
                var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
                var state = await Poll.LatestAsync(async () => (await admin.GetJsonAsync($"/api/admin/datasets/tasks/{id}")).GetProperty("state").GetString(),
                    s => s is not ("Queued" or "Running"), seconds: 120);
                Assert.Equal("Succeeded", state);
            }
            finally { factory.DeleteData(); }
        }
    }
}
