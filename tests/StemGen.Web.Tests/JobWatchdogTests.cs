using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Jobs;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Evaluations;
using StemGen.Web.Listening;
using StemGen.Web.Events;
using StemGen.Web.Tasks;
using StemGen.Web.Training;

namespace StemGen.Web.Tests;

/// <summary>A task whose Hangfire job ended without the runner (deleted in the dashboard) does not stay open on the page, whatever its kind.</summary>
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

    [Theory]
    [InlineData(TaskKind.Generation)]
    [InlineData(TaskKind.Dataset)]
    [InlineData(TaskKind.Training)]
    [InlineData(TaskKind.Evaluation)]
    [InlineData(TaskKind.ListeningCheck)]
    [InlineData(TaskKind.StudyPreparation)]
    public async Task A_running_task_of_any_kind_whose_job_is_deleted_ends_failed_with_that_reason(TaskKind kind)
    {
        var owner = await factory.RegisterAsync("watched-" + kind.ToString().ToLowerInvariant());
        var projectId = await owner.CreateProjectAsync("Watched");
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var userId = (await db.Users.SingleAsync()).Id;
        var now = DateTime.UtcNow;
        // A running row of the kind, carried by a Hangfire job that waits (scheduled), so that no server takes it.
        var hangfire = factory.Services.GetRequiredService<IBackgroundJobClient>();
        var later = new ScheduledState(TimeSpan.FromHours(1));
        Func<StudioDbContext, Task<(TaskState State, string? Error)>> read;
        switch (kind)
        {
            case TaskKind.Generation:
                var job = new GenerationJob
                {
                    ProjectId = projectId, RequestedById = userId, ParametersJson = """{"ContextStemIds":[1]}""", State = TaskState.Running, CreatedAt = now,
                };
                db.GenerationJobs.Add(job);
                await db.SaveChangesAsync();
                job.HangfireJobId = hangfire.Create<GenerationJobRunner>(r => r.RunAsync(job.Id, null, CancellationToken.None), later);
                read = async d => await d.GenerationJobs.Where(j => j.Id == job.Id).Select(j => ValueTuple.Create(j.State, j.Error)).SingleAsync();
                break;
            case TaskKind.Dataset:
                var task = new DatasetTask { Output = "out", Settings = "", Request = "{}", State = TaskState.Running, CreatedById = userId, CreatedAt = now };
                db.DatasetTasks.Add(task);
                await db.SaveChangesAsync();
                task.HangfireJobId = hangfire.Create<DatasetTaskJob>(j => j.RunAsync(task.Id, CancellationToken.None), later);
                read = async d => await d.DatasetTasks.Where(t => t.Id == task.Id).Select(t => ValueTuple.Create(t.State, t.Error)).SingleAsync();
                break;
            case TaskKind.Training or TaskKind.ListeningCheck:
                var run = new TrainingRun
                {
                    Dataset = "tiny", Codec = "codec-tiny.safetensors", Preset = "tiny", Device = "cpu", Folder = "runs/run-x", CreatedById = userId, CreatedAt = now,
                    State = kind == TaskKind.Training ? TaskState.Running : TaskState.Paused, ListeningCheck = kind == TaskKind.ListeningCheck ? TaskState.Running : null,
                };
                db.TrainingRuns.Add(run);
                await db.SaveChangesAsync();
                if (kind == TaskKind.Training)
                {
                    run.HangfireJobId = hangfire.Create<TrainingRunJob>(j => j.RunAsync(run.Id, CancellationToken.None), later);
                    read = async d => await d.TrainingRuns.Where(r => r.Id == run.Id).Select(r => ValueTuple.Create(r.State, r.Error)).SingleAsync();
                }
                else
                {
                    run.ListeningCheckJobId = hangfire.Create<ListeningCheckJob>(j => j.RunAsync(run.Id, CancellationToken.None), later);
                    read = async d => await d.TrainingRuns.Where(r => r.Id == run.Id).Select(r => ValueTuple.Create(r.ListeningCheck!.Value, r.ListeningCheckJson)).SingleAsync();
                }
                break;
            case TaskKind.Evaluation:
                var evaluation = new EvaluationRun
                {
                    Model = "m", ModelPath = "m.safetensors", CodecIdentity = "c", Dataset = "tiny", Split = "test", Runs = "naive", Embedding = "logmel-stats",
                    Steps = "1", Table1Scales = "", Table2Ws = "", StepsGrid = "", State = TaskState.Running, CreatedById = userId, CreatedAt = now,
                };
                db.EvaluationRuns.Add(evaluation);
                await db.SaveChangesAsync();
                evaluation.HangfireJobId = hangfire.Create<EvaluationRunJob>(j => j.RunAsync(evaluation.Id, CancellationToken.None), later);
                read = async d => await d.EvaluationRuns.Where(r => r.Id == evaluation.Id).Select(r => ValueTuple.Create(r.State, r.Error)).SingleAsync();
                break;
            default:
                var study = new ListeningStudy
                {
                    Name = "s", Instructions = "", Dataset = "tiny", PseudonymKey = RandomNumberGenerator.GetBytes(32), State = StudyState.Preparing, Phase = "example 1 of 4",
                    CreatedById = userId, CreatedAt = now,
                };
                db.ListeningStudies.Add(study);
                await db.SaveChangesAsync();
                study.HangfireJobId = hangfire.Create<StudyPreparationJob>(j => j.RunAsync(study.Id, CancellationToken.None), later);
                read = async d => await d.ListeningStudies.Where(x => x.Id == study.Id)
                    .Select(x => ValueTuple.Create(x.State == StudyState.Failed ? TaskState.Failed : TaskState.Running, x.Error)).SingleAsync();
                break;
        }
        await db.SaveChangesAsync();
        Assert.Equal(TaskState.Running, (await read(db)).State);

        var hangfireId = kind switch
        {
            TaskKind.Generation => await db.GenerationJobs.Select(j => j.HangfireJobId).SingleAsync(),
            TaskKind.Dataset => await db.DatasetTasks.Select(t => t.HangfireJobId).SingleAsync(),
            TaskKind.Training => await db.TrainingRuns.Select(r => r.HangfireJobId).SingleAsync(),
            TaskKind.ListeningCheck => await db.TrainingRuns.Select(r => r.ListeningCheckJobId).SingleAsync(),
            TaskKind.Evaluation => await db.EvaluationRuns.Select(r => r.HangfireJobId).SingleAsync(),
            _ => await db.ListeningStudies.Select(x => x.HangfireJobId).SingleAsync(),
        };
        Assert.True(hangfire.Delete(hangfireId!));

        var row = await Poll.LatestAsync(async () =>
        {
            using var fresh = factory.Services.CreateScope();
            return await read(fresh.ServiceProvider.GetRequiredService<StudioDbContext>());
        }, r => r.State != TaskState.Running, seconds: 15, intervalMs: 100);
        Assert.Equal(TaskState.Failed, row.State);
        Assert.Equal("stopped: it was deleted from the job queue (dashboard)", row.Error);
    }
}
