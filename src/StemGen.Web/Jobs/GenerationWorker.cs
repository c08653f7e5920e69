using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Audio;
using StemGen.Model.Generation;
using StemGen.Web.Data;
using StemGen.Web.Hubs;
using StemGen.Web.Storage;

namespace StemGen.Web.Jobs;

/// <summary>
/// The embedded worker: runs one generation job at a time, in this process. At start-up it first
/// re-queues jobs a crash or restart interrupted (state Running), then takes job ids from the queue.
/// For each job: claim it (Queued -> Running, atomically), load the context stems from the blob
/// store, call the generator with progress and cancellation, store each variation as a candidate
/// (one per (job, index), so a rerun after a crash does not duplicate them), and finish the row.
/// </summary>
public sealed class GenerationWorker(
    IServiceScopeFactory scopes, IGenerationQueue queue, GeneratorHost generator, JobCancellations cancellations,
    ProjectEvents events, IOptions<StudioOptions> studioOptions, TimeProvider clock, ILogger<GenerationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let the host finish starting
        await RecoverAsync(stoppingToken);
        // Load the model once, now, so the page can name the device before the first job.
        _ = Task.Run(() =>
        {
            try { generator.Get(); }
            catch (GeneratorUnavailableException e) { logger.LogWarning("generation unavailable: {Reason}", e.Message); }
        }, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            int jobId;
            try { jobId = await queue.DequeueAsync(stoppingToken); }
            catch (OperationCanceledException) { break; }
            try { await RunAsync(jobId, stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e) { logger.LogError(e, "job {JobId}: the worker failed outside the job", jobId); }
        }
    }

    /// <summary>Jobs left Running by a previous process go back to Queued; every queued job is (re-)enqueued in order.</summary>
    internal async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var interrupted = await db.GenerationJobs.Where(j => j.State == JobState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Queued).SetProperty(j => j.Phase, "re-queued after a restart"), cancellationToken);
        if (interrupted > 0) logger.LogWarning("re-queued {Count} generation job(s) interrupted by a restart", interrupted);
        var queued = await db.GenerationJobs.Where(j => j.State == JobState.Queued).OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(cancellationToken);
        foreach (var id in queued) await queue.EnqueueAsync(id, cancellationToken);
    }

    private async Task RunAsync(int jobId, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
        var blobs = scope.ServiceProvider.GetRequiredService<IBlobStore>();

        var now = clock.GetUtcNow().UtcDateTime;
        var claimed = await db.GenerationJobs.Where(j => j.Id == jobId && j.State == JobState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Running).SetProperty(j => j.StartedAt, now)
                .SetProperty(j => j.Attempts, j => j.Attempts + 1).SetProperty(j => j.Error, (string?)null), stoppingToken);
        if (claimed == 0) return; // cancelled, finished, or already taken
        var job = await db.GenerationJobs.SingleAsync(j => j.Id == jobId, stoppingToken);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var registration = cancellations.Register(jobId, cancel);
        if (job.CancelRequested) cancel.Cancel();
        Publish(job);

        try
        {
            var parameters = JsonSerializer.Deserialize<GenerationParameters>(job.ParametersJson)
                ?? throw new GenerationRequestException("the job has no parameters");
            var sampling = parameters.ToSamplingOptions();
            var context = await LoadContextAsync(db, blobs, job.ProjectId, parameters.ContextStemIds, stoppingToken);

            job.Phase = "loading the model";
            await db.SaveChangesAsync(stoppingToken);
            Publish(job);
            var model = await Task.Run(generator.Get, stoppingToken);
            job.Device = model.Device;
            job.Phase = "generating";
            await db.SaveChangesAsync(stoppingToken);
            Publish(job);

            var request = new GenerationRequest
            {
                Context = context, Category = job.TargetCategory, Sampling = sampling, Variations = parameters.Variations,
                Region = parameters.RegionStart is { } from && parameters.RegionEnd is { } to ? new TimeRegion(from, to) : null,
                ExistingStem = parameters.ExistingStemId is { } existingId
                    ? await LoadExistingAsync(db, blobs, job.ProjectId, existingId, context, stoppingToken) : null,
            };
            var progress = new JobProgressWriter(job, db, this);
            var result = await Task.Run(() => model.Generate(request, progress, cancel.Token), cancel.Token);
            await StoreCandidatesAsync(db, blobs, job, result, stoppingToken);

            job.State = JobState.Succeeded;
            job.ProgressPercent = 100;
            job.EtaSeconds = 0;
            job.Phase = $"done: {result.Stems.Count} candidate(s) in {result.Elapsed.TotalSeconds:0.0} s";
            job.FinishedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the row stays Running and the next start re-queues it.
            logger.LogInformation("job {JobId} interrupted by shutdown; it runs again at the next start", jobId);
            throw;
        }
        catch (OperationCanceledException)
        {
            job.State = JobState.Cancelled;
            job.Phase = "cancelled";
            job.FinishedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // Bad requests, a model that cannot load, unreadable context audio, or a bug: the row says why.
            logger.LogWarning(e, "job {JobId} failed", jobId);
            job.State = JobState.Failed;
            job.Error = e.Message;
            job.Phase = "failed";
            job.FinishedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        Publish(job);
        events.Publish(new ProjectChangedEvent(job.ProjectId, "job"));
    }

    /// <summary>The context stems at the first stem's sample rate (others are resampled).</summary>
    private static async Task<List<AudioBuffer>> LoadContextAsync(StudioDbContext db, IBlobStore blobs, int projectId, IReadOnlyList<int> stemIds, CancellationToken cancellationToken)
    {
        var stems = await db.Stems.AsNoTracking().Where(s => s.ProjectId == projectId && stemIds.Contains(s.Id)).ToListAsync(cancellationToken);
        var missing = stemIds.Except(stems.Select(s => s.Id)).ToList();
        if (missing.Count > 0) throw new GenerationRequestException($"context stem(s) {string.Join(", ", missing)} no longer exist in this project");
        if (stems.Count == 0) throw new GenerationRequestException("choose at least one context stem");
        var ordered = stemIds.Select(id => stems.First(s => s.Id == id)).ToList();
        var rate = ordered[0].SampleRate;
        var buffers = new List<AudioBuffer>();
        foreach (var stem in ordered)
        {
            await using var content = blobs.OpenRead(stem.BlobHash);
            var audio = AudioFile.Read(content, stem.Name + StemFiles.Extension(stem.Format));
            buffers.Add(audio.SampleRate == rate ? audio : Resampler.Resample(audio, rate));
        }
        return buffers;
    }

    /// <summary>The stem to regenerate, at the context's rate and exact length (a shorter stem is padded with silence).</summary>
    private static async Task<AudioBuffer> LoadExistingAsync(StudioDbContext db, IBlobStore blobs, int projectId, int stemId, List<AudioBuffer> context, CancellationToken cancellationToken)
    {
        var stem = await db.Stems.AsNoTracking().FirstOrDefaultAsync(s => s.Id == stemId && s.ProjectId == projectId, cancellationToken)
            ?? throw new GenerationRequestException($"the stem to regenerate ({stemId}) no longer exists in this project");
        AudioBuffer audio;
        await using (var content = blobs.OpenRead(stem.BlobHash))
            audio = AudioFile.Read(content, stem.Name + StemFiles.Extension(stem.Format));
        var rate = context[0].SampleRate;
        if (audio.SampleRate != rate) audio = Resampler.Resample(audio, rate);
        var frames = context.Max(c => c.Frames);
        if (audio.Frames == frames) return audio;
        // Job creation allows at most 1 ms longer than the context (resampling rounding): that is cut.
        var fitted = new AudioBuffer(audio.Channels, frames, rate);
        var kept = Math.Min(frames, audio.Frames);
        for (var c = 0; c < audio.Channels; c++) audio.Channel(c)[..kept].CopyTo(fitted.Channel(c));
        return fitted;
    }

    private async Task StoreCandidatesAsync(StudioDbContext db, IBlobStore blobs, GenerationJob job, GenerationResult result, CancellationToken cancellationToken)
    {
        var existing = await db.GenerationCandidates.Where(c => c.JobId == job.Id).Select(c => c.Index).ToListAsync(cancellationToken);
        var staging = studioOptions.Value.StagingDirectory;
        Directory.CreateDirectory(staging);
        for (var index = 0; index < result.Stems.Count; index++)
        {
            if (existing.Contains(index)) continue; // written by an earlier attempt
            var audio = result.Stems[index].Audio;
            var temp = Path.Combine(staging, Guid.NewGuid().ToString("N") + ".wav");
            try
            {
                AudioFile.Write(temp, audio);
                StoredBlob blob;
                await using (var content = File.OpenRead(temp))
                    blob = await blobs.PutAsync(content, cancellationToken);
                var level = WaveformPeaks.Compute(audio).ForWidth(2000);
                db.GenerationCandidates.Add(new GenerationCandidate
                {
                    JobId = job.Id, Index = index, BlobHash = blob.Hash, SizeBytes = blob.Size,
                    DurationSeconds = audio.Duration.TotalSeconds, SampleRate = audio.SampleRate, Channels = audio.Channels,
                    Peaks = System.Runtime.InteropServices.MemoryMarshal.AsBytes(level.Data.AsSpan()).ToArray(), PeaksSamplesPerBucket = level.SamplesPerBucket,
                    Status = CandidateStatus.Pending, CreatedAt = clock.GetUtcNow().UtcDateTime,
                });
            }
            finally
            {
                File.Delete(temp);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private void Publish(GenerationJob job) =>
        events.Publish(new JobProgressEvent(job.ProjectId, job.Id, job.State, job.Phase, job.ProgressLevel, job.ProgressStep,
            job.ProgressPercent, job.EtaSeconds, job.Error));

    /// <summary>
    /// Receives the generator's progress on its own thread: pushes every step to open pages (at most
    /// ten a second) and writes it into the job row at most once a second, so a reload shows it too.
    /// </summary>
    private sealed class JobProgressWriter(GenerationJob job, StudioDbContext db, GenerationWorker worker) : IProgress<GenerationProgress>
    {
        private readonly Stopwatch sincePublish = Stopwatch.StartNew();
        private readonly Stopwatch sinceSave = Stopwatch.StartNew();

        public void Report(GenerationProgress value)
        {
            job.Phase = value.Windows > 1 ? $"{value.Phase} (window {value.Window}/{value.Windows})" : value.Phase;
            job.ProgressLevel = value.Level;
            job.ProgressStep = value.Step;
            job.ProgressPercent = Math.Round(100 * value.Fraction, 1);
            job.EtaSeconds = value.Remaining?.TotalSeconds;
            var last = value.CompletedSteps >= value.TotalSteps;
            if (last || sincePublish.ElapsedMilliseconds >= 100)
            {
                worker.Publish(job);
                sincePublish.Restart();
            }
            if (last || sinceSave.ElapsedMilliseconds >= 1000)
            {
                db.SaveChanges();
                sinceSave.Restart();
            }
        }
    }
}
