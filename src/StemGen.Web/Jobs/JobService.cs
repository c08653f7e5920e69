using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Hangfire;
using Hangfire.States;
using StemGen.Data;
using StemGen.Jobs;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Hubs;
using StemGen.Web.Storage;

namespace StemGen.Web.Jobs;

/// <summary>Creates, cancels and resolves generation jobs. Callers check the caller's role first (Editor or Owner).</summary>
public sealed class JobService(
    StudioDbContext db, IBackgroundJobClient hangfire, IOptions<JobsOptions> jobsOptions, JobCancellations cancellations, ProjectEvents events, TaskEvents tasks,
    BlobReferences blobReferences, IOptions<GenerationOptions> options, TimeProvider clock, Security.UserQuotas quotas)
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
        var durations = await db.Stems.Where(s => s.ProjectId == projectId && ids.Contains(s.Id)).Select(s => s.DurationSeconds).ToListAsync(cancellationToken);
        if (durations.Count != ids.Count) throw new StudioValidationException("a context stem is not in this project");
        await CheckRegionAsync(projectId, parameters, ids, durations.Max(), cancellationToken);
        using var slot = await quotas.ReserveQueueSlotAsync(userId, cancellationToken); // held until the job is saved

        var job = new GenerationJob
        {
            ProjectId = projectId, RequestedById = userId, TargetCategory = category,
            // A seed is drawn here when none is given: each job is a new stem, and a rerun after a crash writes the same one.
            ParametersJson = JsonSerializer.Serialize(parameters with { ContextStemIds = ids, Seed = parameters.Seed ?? (ulong)Random.Shared.NextInt64() }),
            State = TaskState.Queued, Phase = "queued", CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.GenerationJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        await EnqueueAsync(job, cancellationToken);
        tasks.Publish(new JobProgressEvent(projectId, job.Id, job.State, job.Phase, 0, 0, 0, null, null));
        return job;
    }

    /// <summary>
    /// Hands the job to Hangfire, which carries its id to whichever server takes the queue (the studio's
    /// own, or a GPU worker's). A row left without a Hangfire job (the process died in between) is
    /// enqueued at the next start (the task kernel's start-up recovery).
    /// </summary>
    internal async Task EnqueueAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        job.HangfireJobId = hangfire.Create<GenerationJobRunner>(runner => runner.RunAsync(job.Id, null, CancellationToken.None),
            new EnqueuedState(jobsOptions.Value.Queues.Generation));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A region lies inside the context; a stem to regenerate is in the project, not in the context, and no longer than it.</summary>
    private async Task CheckRegionAsync(int projectId, GenerationParameters parameters, List<int> contextIds, double contextSeconds, CancellationToken cancellationToken)
    {
        var (start, end) = (parameters.RegionStart, parameters.RegionEnd);
        if (start is null != end is null) throw new StudioValidationException("a region needs both its start and its end");
        if (parameters.ExistingStemId is not null && start is null) throw new StudioValidationException("choose the region of the stem to regenerate");
        if (start is not { } from || end is not { } to) return;
        if (!double.IsFinite(from) || !double.IsFinite(to) || from < 0) throw new StudioValidationException("a region is given in seconds from the start, 0 or more");
        if (to <= from) throw new StudioValidationException($"the region {from:0.###}-{to:0.###} s is empty: its end must come after its start");
        if (to > contextSeconds + 1e-3) throw new StudioValidationException($"the region ends at {to:0.###} s, after the end of the {contextSeconds:0.###} s context");
        if (parameters.ExistingStemId is not { } existingId) return;
        if (contextIds.Contains(existingId)) throw new StudioValidationException("the stem to regenerate cannot also be a context stem: the model would copy it");
        var existing = await db.Stems.Where(s => s.Id == existingId && s.ProjectId == projectId).Select(s => (double?)s.DurationSeconds).FirstOrDefaultAsync(cancellationToken)
            ?? throw new StudioValidationException("the stem to regenerate is not in this project");
        if (existing > contextSeconds + 1e-3)
            throw new StudioValidationException($"the stem to regenerate is {existing:0.###} s long, longer than the {contextSeconds:0.###} s context");
    }

    /// <summary>A queued job is cancelled at once; a running one at its next progress report (within a second). False when it already finished.</summary>
    public async Task<bool> CancelAsync(int projectId, int jobId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var dequeued = await db.GenerationJobs.Where(j => j.Id == jobId && j.ProjectId == projectId && j.State == TaskState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, TaskState.Cancelled).SetProperty(j => j.CancelRequested, true)
                .SetProperty(j => j.Phase, "cancelled").SetProperty(j => j.FinishedAt, now), cancellationToken);
        if (dequeued > 0)
        {
            tasks.Publish(new JobProgressEvent(projectId, jobId, TaskState.Cancelled, "cancelled", 0, 0, 0, null, null));
            return true;
        }
        var running = await db.GenerationJobs.Where(j => j.Id == jobId && j.ProjectId == projectId && j.State == TaskState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true), cancellationToken);
        if (running == 0) return false;
        cancellations.Request(jobId);
        return true;
    }

    /// <summary>Makes a pending candidate a stem of the project (the same blob, no copy).</summary>
    public async Task<Stem> AcceptAsync(int projectId, int candidateId, string? name, CancellationToken cancellationToken = default) =>
        await AcceptAsync(projectId, candidateId, name, replace: false, cancellationToken);

    /// <summary>
    /// Keeps a candidate: as a new track, or with <paramref name="replace"/> (a regenerated part of a track only) in place of the
    /// track it repairs, which then holds the candidate's audio (the audio outside the region is the track's own, sample for
    /// sample); the track's previous audio goes unless something else refers to it.
    /// </summary>
    public async Task<Stem> AcceptAsync(int projectId, int candidateId, string? name, bool replace, CancellationToken cancellationToken = default)
    {
        var candidate = await db.GenerationCandidates.Include(c => c.Job)
            .FirstOrDefaultAsync(c => c.Id == candidateId && c.Job!.ProjectId == projectId, cancellationToken)
            ?? throw new KeyNotFoundException("no such candidate");
        if (candidate.Status != CandidateStatus.Pending) throw new StudioValidationException($"this candidate was already {candidate.Status.ToString().ToLowerInvariant()}");
        var job = candidate.Job!;
        Stem stem;
        string? replacedBlob = null;
        if (replace)
        {
            var repairedId = JsonSerializer.Deserialize<GenerationParameters>(job.ParametersJson)?.ExistingStemId
                ?? throw new StudioValidationException("only a regenerated part of a track can replace it; keep this one as a new track");
            stem = await db.Stems.FirstOrDefaultAsync(s => s.Id == repairedId && s.ProjectId == projectId, cancellationToken)
                ?? throw new StudioValidationException("the track this part belongs to was deleted; keep it as a new track");
            replacedBlob = stem.BlobHash;
            stem.Audio = candidate.Audio;
            stem.SourceJobId = job.Id;
            if (!string.IsNullOrWhiteSpace(name)) stem.Name = Projects.StemService.ValidName(name);
        }
        else
        {
            var stemName = string.IsNullOrWhiteSpace(name) ? GeneratedStemName.Of(job.TargetCategory, job.Id, candidate.Index) : Projects.StemService.ValidName(name);
            stem = new Stem
            {
                ProjectId = projectId, Name = stemName, Category = job.TargetCategory, Audio = candidate.Audio, SourceJobId = job.Id, CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.Stems.Add(stem);
        }
        await db.SaveChangesAsync(cancellationToken);
        candidate.Status = CandidateStatus.Accepted;
        candidate.AcceptedStemId = stem.Id;
        await db.SaveChangesAsync(cancellationToken);
        if (replacedBlob is not null && replacedBlob != stem.BlobHash) await blobReferences.DeleteUnreferencedAsync([replacedBlob], cancellationToken);
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
