using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Data;
using StemGen.Web.Data;
using StemGen.Web.Hubs;
using StemGen.Web.Storage;

namespace StemGen.Web.Jobs;

/// <summary>Creates, cancels and resolves generation jobs. Callers check the caller's role first (Editor or Owner).</summary>
public sealed class JobService(
    StudioDbContext db, IGenerationQueue queue, JobCancellations cancellations, ProjectEvents events, BlobReferences blobReferences,
    IOptions<GenerationOptions> options, TimeProvider clock)
{
    public async Task<GenerationJob> CreateAsync(int projectId, string userId, InstrumentCategory category, GenerationParameters parameters, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(category)) throw new StudioValidationException($"unknown instrument category {(int)category}");
        if (parameters.ContextStemIds is not { Count: > 0 }) throw new StudioValidationException("choose at least one context stem");
        if (parameters.Variations < 1 || parameters.Variations > options.Value.MaxVariations)
            throw new StudioValidationException($"variations must be 1 to {options.Value.MaxVariations}");
        try { parameters.ToSamplingOptions().Validate(); }
        catch (ArgumentException e) { throw new StudioValidationException(e.Message); }
        var ids = parameters.ContextStemIds.Distinct().ToList();
        var found = await db.Stems.CountAsync(s => s.ProjectId == projectId && ids.Contains(s.Id), cancellationToken);
        if (found != ids.Count) throw new StudioValidationException("a context stem is not in this project");

        var job = new GenerationJob
        {
            ProjectId = projectId, RequestedById = userId, TargetCategory = category,
            // A seed is drawn here when none is given: each job is a new stem, and a rerun after a crash writes the same one.
            ParametersJson = JsonSerializer.Serialize(parameters with { ContextStemIds = ids, Seed = parameters.Seed ?? (ulong)Random.Shared.NextInt64() }),
            State = JobState.Queued, Phase = "queued", CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.GenerationJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        await queue.EnqueueAsync(job.Id, cancellationToken);
        events.Publish(new JobProgressEvent(projectId, job.Id, job.State, job.Phase, 0, 0, 0, null, null));
        return job;
    }

    /// <summary>A queued job is cancelled at once; a running one at the generator's next step. False when it already finished.</summary>
    public async Task<bool> CancelAsync(int projectId, int jobId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var dequeued = await db.GenerationJobs.Where(j => j.Id == jobId && j.ProjectId == projectId && j.State == JobState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Cancelled).SetProperty(j => j.CancelRequested, true)
                .SetProperty(j => j.Phase, "cancelled").SetProperty(j => j.FinishedAt, now), cancellationToken);
        if (dequeued > 0)
        {
            events.Publish(new JobProgressEvent(projectId, jobId, JobState.Cancelled, "cancelled", 0, 0, 0, null, null));
            return true;
        }
        var running = await db.GenerationJobs.Where(j => j.Id == jobId && j.ProjectId == projectId && j.State == JobState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true), cancellationToken);
        if (running == 0) return false;
        cancellations.Cancel(jobId);
        return true;
    }

    /// <summary>Makes a pending candidate a stem of the project (the same blob, no copy).</summary>
    public async Task<Stem> AcceptAsync(int projectId, int candidateId, string? name, CancellationToken cancellationToken = default)
    {
        var candidate = await db.GenerationCandidates.Include(c => c.Job)
            .FirstOrDefaultAsync(c => c.Id == candidateId && c.Job!.ProjectId == projectId, cancellationToken)
            ?? throw new KeyNotFoundException("no such candidate");
        if (candidate.Status != CandidateStatus.Pending) throw new StudioValidationException($"this candidate was already {candidate.Status.ToString().ToLowerInvariant()}");
        var job = candidate.Job!;
        var stemName = string.IsNullOrWhiteSpace(name) ? $"{job.TargetCategory.DisplayName()} (generated #{job.Id}.{candidate.Index + 1})" : name.Trim();
        if (stemName.Length > Stem.MaxNameLength) throw new StudioValidationException($"a stem name has at most {Stem.MaxNameLength} characters");
        var stem = new Stem
        {
            ProjectId = projectId, Name = stemName, Category = job.TargetCategory, BlobHash = candidate.BlobHash, Format = "WAV",
            SizeBytes = candidate.SizeBytes, DurationSeconds = candidate.DurationSeconds, SampleRate = candidate.SampleRate,
            Channels = candidate.Channels, Peaks = candidate.Peaks, PeaksSamplesPerBucket = candidate.PeaksSamplesPerBucket,
            SourceJobId = job.Id, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Stems.Add(stem);
        await db.SaveChangesAsync(cancellationToken);
        candidate.Status = CandidateStatus.Accepted;
        candidate.AcceptedStemId = stem.Id;
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(new ProjectChangedEvent(projectId, "stems"));
        return stem;
    }

    /// <summary>Removes a pending candidate and its audio (unless an accepted stem shares the same bytes).</summary>
    public async Task DiscardAsync(int projectId, int candidateId, CancellationToken cancellationToken = default)
    {
        var candidate = await db.GenerationCandidates
            .FirstOrDefaultAsync(c => c.Id == candidateId && c.Job!.ProjectId == projectId, cancellationToken)
            ?? throw new KeyNotFoundException("no such candidate");
        if (candidate.Status != CandidateStatus.Pending) throw new StudioValidationException("this candidate was already accepted");
        db.GenerationCandidates.Remove(candidate);
        await db.SaveChangesAsync(cancellationToken);
        await blobReferences.DeleteUnreferencedAsync([candidate.BlobHash], cancellationToken);
        events.Publish(new ProjectChangedEvent(projectId, "candidates"));
    }
}
