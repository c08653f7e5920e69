using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Audio;
using StemGen.Jobs;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Hubs;
using StemGen.Web.Storage;

namespace StemGen.Web.Jobs;

/// <summary>
/// The studio's side of running a job, whoever runs it: the one place that moves a job row through
/// its states, serves its audio, stores its candidates and tells open pages. The in-process gateway
/// calls it directly; remote workers reach it through the worker endpoints and hub.
/// </summary>
public sealed class JobLedger(
    StudioDbContext db, IBlobStore blobs, ProjectEvents events, TaskEvents tasks, JobCancellations cancellations, ProgressSaves saves,
    IOptions<StudioOptions> studioOptions, TimeProvider clock, ILogger<JobLedger> logger)
{
    /// <summary>The longest exception text kept in a job row for admins (the log has all of it).</summary>
    public const int MaxErrorDetail = 16_000;

    /// <summary>Marks the job running under <paramref name="lease"/> (<see cref="GenerationJob.Lease"/>; remote workers' leases come from <see cref="WorkerLeases"/>).</summary>
    public async Task<JobTicket?> ClaimAsync(int jobId, string device, string? model, CancellationToken cancellationToken, string lease = "studio")
    {
        var job = await db.GenerationJobs.FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null || job.IsFinished) return null;
        if (job.CancelRequested)
        {
            await FinishAsync(jobId, new JobOutcome(JobOutcomeKind.Cancelled, "cancelled"), cancellationToken);
            return null;
        }
        // Queued, or Running when the process that ran it died: at-least-once, so it runs again.
        job.State = TaskState.Running;
        job.Attempts++;
        job.StartedAt = clock.GetUtcNow().UtcDateTime;
        job.Device = device;
        job.Model = model;
        job.Lease = lease;
        job.Error = null;
        job.ErrorDetail = null;
        job.Phase = job.Attempts > 1 ? $"attempt {job.Attempts}" : "starting";
        await db.SaveChangesAsync(cancellationToken);
        Publish(job);

        try
        {
            var parameters = JsonSerializer.Deserialize<GenerationParameters>(job.ParametersJson)
                ?? throw new StudioValidationException("the job has no parameters");
            var ids = parameters.ContextStemIds.Append(parameters.ExistingStemId ?? 0).Where(id => id != 0).ToList();
            var stems = await db.Stems.AsNoTracking().Where(s => s.ProjectId == job.ProjectId && ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
            var missing = ids.Where(id => !stems.ContainsKey(id)).ToList();
            if (missing.Count > 0) throw new StudioValidationException($"stem(s) {string.Join(", ", missing)} no longer exist in this project");
            JobStem Describe(int id) => new(id, stems[id].Name + StemFiles.Extension(stems[id].Format));
            return new JobTicket(job.Id, job.ProjectId, job.TargetCategory, parameters,
                parameters.ContextStemIds.Select(Describe).ToList(), parameters.ExistingStemId is { } existing ? Describe(existing) : null);
        }
        catch (Exception e) when (e is StudioValidationException or JsonException)
        {
            await FinishAsync(jobId, new JobOutcome(JobOutcomeKind.Failed, e.Message), cancellationToken);
            return null;
        }
    }

    /// <summary>A stem of the job's project that the job uses; null for anything else.</summary>
    public async Task<Stream?> OpenStemAsync(int jobId, int stemId, CancellationToken cancellationToken)
    {
        var job = await db.GenerationJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null || JsonSerializer.Deserialize<GenerationParameters>(job.ParametersJson) is not { } parameters) return null;
        if (!parameters.ContextStemIds.Contains(stemId) && parameters.ExistingStemId != stemId) return null;
        var stem = await db.Stems.AsNoTracking().FirstOrDefaultAsync(s => s.Id == stemId && s.ProjectId == job.ProjectId, cancellationToken);
        return stem is null ? null : blobs.OpenRead(stem.BlobHash);
    }

    /// <summary>Pushes progress to the pages at once and into the row at most once a second (a reload shows it); true when cancel was asked.</summary>
    public async Task<bool> ReportProgressAsync(JobProgressReport report, CancellationToken cancellationToken)
    {
        var job = await db.GenerationJobs.AsNoTracking().Where(j => j.Id == report.JobId)
            .Select(j => new { j.ProjectId, j.State, j.Device, j.CancelRequested }).FirstOrDefaultAsync(cancellationToken);
        if (job is null) return true; // the job (or its project) was deleted: stop
        if (job.State != TaskState.Running) return job.CancelRequested;
        tasks.Publish(new JobProgressEvent(job.ProjectId, report.JobId, TaskState.Running, report.Phase, report.Level, report.Step,
            report.Percent, report.EtaSeconds, null, job.Device));
        if (saves.Due(report.JobId))
            await db.GenerationJobs.Where(j => j.Id == report.JobId && j.State == TaskState.Running).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Phase, report.Phase).SetProperty(j => j.ProgressLevel, report.Level).SetProperty(j => j.ProgressStep, report.Step)
                .SetProperty(j => j.ProgressPercent, report.Percent).SetProperty(j => j.EtaSeconds, report.EtaSeconds), cancellationToken);
        return job.CancelRequested || cancellations.IsRequested(report.JobId);
    }

    public async Task<IReadOnlyList<int>> StoredCandidatesAsync(int jobId, CancellationToken cancellationToken) =>
        await db.GenerationCandidates.Where(c => c.JobId == jobId).Select(c => c.Index).ToListAsync(cancellationToken);

    /// <summary>Stores one variation (a WAV file); a variation already stored (an earlier attempt) is kept as it is.</summary>
    public async Task StoreCandidateAsync(int jobId, int index, Stream wav, CancellationToken cancellationToken)
    {
        var parametersJson = await db.GenerationJobs.Where(j => j.Id == jobId && j.State == TaskState.Running).Select(j => j.ParametersJson).FirstOrDefaultAsync(cancellationToken)
            ?? throw new StudioValidationException($"job {jobId} is not running");
        var variations = JsonSerializer.Deserialize<GenerationParameters>(parametersJson)?.Variations ?? 1;
        if (index < 0 || index >= variations) throw new StudioValidationException($"variation {index} is out of range: the job asks for {variations}");
        if (await db.GenerationCandidates.AnyAsync(c => c.JobId == jobId && c.Index == index, cancellationToken)) return;

        var staging = studioOptions.Value.StagingDirectory;
        Directory.CreateDirectory(staging);
        var temp = Path.Combine(staging, Guid.NewGuid().ToString("N") + ".wav");
        try
        {
            await using (var file = File.Create(temp)) await wav.CopyToAsync(file, cancellationToken);
            var audio = AudioFile.Read(temp); // refuses what is not audio
            var stored = await blobs.StoreWavAsync(temp, audio, cancellationToken);
            db.GenerationCandidates.Add(new GenerationCandidate
            {
                JobId = jobId, Index = index, Audio = stored,
                Status = CandidateStatus.Pending, CreatedAt = clock.GetUtcNow().UtcDateTime,
            });
            try { await db.SaveChangesAsync(cancellationToken); }
            catch (DbUpdateException)
            {
                // (JobId, Index) is unique: another attempt stored it at the same moment, which is fine.
                db.ChangeTracker.Clear();
                if (!await db.GenerationCandidates.AnyAsync(c => c.JobId == jobId && c.Index == index, cancellationToken)) throw;
                logger.LogInformation("job {JobId}: variation {Index} was stored by another attempt", jobId, index);
            }
        }
        finally { File.Delete(temp); }
    }

    public async Task FinishAsync(int jobId, JobOutcome outcome, CancellationToken cancellationToken)
    {
        var job = await db.GenerationJobs.FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null || job.IsFinished) return;
        job.State = outcome.Kind switch
        {
            JobOutcomeKind.Succeeded => TaskState.Succeeded,
            JobOutcomeKind.Cancelled => TaskState.Cancelled,
            _ => TaskState.Failed,
        };
        job.Phase = outcome.Kind == JobOutcomeKind.Failed ? "failed" : outcome.Message;
        job.Error = outcome.Kind == JobOutcomeKind.Failed ? outcome.Message : null;
        job.ErrorDetail = outcome.Kind == JobOutcomeKind.Failed ? outcome.Detail?[..Math.Min(outcome.Detail.Length, MaxErrorDetail)] : null;
        if (outcome.Detail is not null) logger.LogWarning("job {JobId} failed: {Message}\n{Detail}", jobId, outcome.Message, outcome.Detail);
        if (outcome.Kind == JobOutcomeKind.Succeeded) { job.ProgressPercent = 100; job.EtaSeconds = 0; }
        job.FinishedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        cancellations.Clear(jobId);
        saves.Forget(jobId);
        Publish(job);
        events.Publish(new ProjectChangedEvent(job.ProjectId, "job"));
    }

    private void Publish(GenerationJob job) =>
        tasks.Publish(new JobProgressEvent(job.ProjectId, job.Id, job.State, job.Phase, job.ProgressLevel, job.ProgressStep,
            job.ProgressPercent, job.EtaSeconds, job.Error, job.Device));
}

/// <summary>When each running job's progress was last written to its row (at most once a second).</summary>
public sealed class ProgressSaves(TimeProvider clock)
{
    private readonly ConcurrentDictionary<int, DateTimeOffset> last = new();

    public bool Due(int jobId)
    {
        var now = clock.GetUtcNow();
        var previous = last.GetOrAdd(jobId, DateTimeOffset.MinValue);
        return now - previous >= TimeSpan.FromSeconds(1) && last.TryUpdate(jobId, now, previous);
    }

    public void Forget(int jobId) => last.TryRemove(jobId, out _);
}
