using Microsoft.EntityFrameworkCore;
using StemGen.Data;
using StemGen.Web.Data;
using StemGen.Web.Jobs;
using StemGen.Jobs;
using StemGen.Web.Storage;

namespace StemGen.Web.Endpoints;

public sealed record GenerateRequest(IReadOnlyList<int> ContextStemIds, InstrumentCategory Category, string? Preset, int? Variations,
    double? Temperature, double? ContextGuidance, double? CategoryGuidance, ulong? Seed,
    double? RegionStart = null, double? RegionEnd = null, int? ExistingStemId = null);

/// <summary>Keeps a candidate as a new track named <paramref name="Name"/>, or with <paramref name="Replace"/> in place of the track whose part it regenerated.</summary>
public sealed record AcceptRequest(string? Name, bool Replace = false);

/// <summary>Generation jobs of a project: start, list, watch, cancel; audition, accept or discard candidates.</summary>
public static class JobEndpoints
{
    public static void MapJobEndpoints(this RouteGroupBuilder project)
    {
        project.MapPost("/jobs", async (int projectId, GenerateRequest request, HttpContext http, JobService jobs) =>
            {
                var parameters = new GenerationParameters
                {
                    ContextStemIds = request.ContextStemIds ?? [], Preset = request.Preset ?? "best", Variations = request.Variations ?? 1,
                    Temperature = request.Temperature, ContextGuidance = request.ContextGuidance, CategoryGuidance = request.CategoryGuidance,
                    Seed = request.Seed, RegionStart = request.RegionStart, RegionEnd = request.RegionEnd, ExistingStemId = request.ExistingStemId,
                };
                var job = await jobs.CreateAsync(projectId, ProjectAccess.UserId(http.User)!, request.Category, parameters, http.RequestAborted);
                return Results.Accepted($"/api/projects/{projectId}/jobs/{job.Id}", JobView.From(job));
            }).RequiresRole(ProjectRole.Editor);

        project.MapGet("/jobs", async (int projectId, StudioDbContext db, CancellationToken ct) =>
            Results.Ok((await db.GenerationJobs.AsNoTracking().Include(j => j.Candidates).Where(j => j.ProjectId == projectId)
                .OrderByDescending(j => j.Id).ToListAsync(ct)).Select(JobView.From)));

        project.MapGet("/jobs/{jobId:int}", async (int projectId, int jobId, StudioDbContext db, CancellationToken ct) =>
        {
            var job = await db.GenerationJobs.AsNoTracking().Include(j => j.Candidates).FirstOrDefaultAsync(j => j.Id == jobId && j.ProjectId == projectId, ct);
            return job is null ? Results.NotFound() : Results.Ok(JobView.From(job));
        });

        project.MapPost("/jobs/{jobId:int}/cancel", async (int projectId, int jobId, JobService jobs, CancellationToken ct) =>
            await jobs.CancelAsync(projectId, jobId, ct) ? Results.Accepted() : Results.Problem(statusCode: 409, detail: "the job has already finished (or does not exist)"))
            .RequiresRole(ProjectRole.Editor);

        project.MapGet("/candidates/{candidateId:int}/audio", async (int projectId, int candidateId, StudioDbContext db, IBlobStore store, CancellationToken ct) =>
        {
            var candidate = await db.GenerationCandidates.AsNoTracking().FirstOrDefaultAsync(c => c.Id == candidateId && c.Job!.ProjectId == projectId, ct);
            return candidate is null ? Results.NotFound() : Results.File(store.OpenRead(candidate.BlobHash), "audio/wav", enableRangeProcessing: true);
        });

        project.MapGet("/candidates/{candidateId:int}/peaks", async (int projectId, int candidateId, StudioDbContext db, CancellationToken ct) =>
        {
            var candidate = await db.GenerationCandidates.AsNoTracking().FirstOrDefaultAsync(c => c.Id == candidateId && c.Job!.ProjectId == projectId, ct);
            return candidate is null ? Results.NotFound() : Results.Ok(Peaks.ToJson(candidate.Peaks, candidate.DurationSeconds));
        });

        project.MapPost("/candidates/{candidateId:int}/accept", async (int projectId, int candidateId, AcceptRequest? request, JobService jobs, CancellationToken ct) =>
            {
                var stem = await jobs.AcceptAsync(projectId, candidateId, request?.Name, request?.Replace ?? false, ct);
                return Results.Ok(new { stem.Id, stem.Name, stem.Category });
            }).RequiresRole(ProjectRole.Editor);

        project.MapPost("/candidates/{candidateId:int}/discard", async (int projectId, int candidateId, JobService jobs, CancellationToken ct) =>
            {
                await jobs.DiscardAsync(projectId, candidateId, ct);
                return Results.NoContent();
            }).RequiresRole(ProjectRole.Editor);
    }
}

/// <summary>A job as the API and pages show it.</summary>
public sealed record JobView(int Id, TaskState State, InstrumentCategory Category, string ParametersJson, int Attempts, string? Phase,
    int Level, int Step, double Percent, double? EtaSeconds, string? Device, string? Model, string? Error, DateTime CreatedAt, DateTime? StartedAt,
    DateTime? FinishedAt, IReadOnlyList<CandidateView> Candidates)
{
    public static JobView From(GenerationJob j) => new(j.Id, j.State, j.TargetCategory, j.ParametersJson, j.Attempts, j.Phase, j.ProgressLevel,
        j.ProgressStep, j.ProgressPercent, j.EtaSeconds, j.Device, j.Model, j.Error, j.CreatedAt, j.StartedAt, j.FinishedAt,
        j.Candidates.OrderBy(c => c.Index).Select(c => new CandidateView(c.Id, c.Index, c.Status, c.DurationSeconds, c.AcceptedStemId)).ToList());
}

public sealed record CandidateView(int Id, int Index, CandidateStatus Status, double DurationSeconds, int? AcceptedStemId);
