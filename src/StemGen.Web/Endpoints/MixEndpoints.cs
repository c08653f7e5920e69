using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;
using StemGen.Web.Jobs;
using StemGen.Web.Projects;
using StemGen.Web.Storage;

namespace StemGen.Web.Endpoints;

/// <summary>Exports: the mix as the page plays it (<see cref="MixExport"/>), and a candidate under its stem name.</summary>
public static class MixEndpoints
{
    public static void MapMixEndpoints(this IEndpointRouteBuilder app)
    {
        var project = app.MapProjectGroup();

        // Counts as a download: a user has at most DownloadLimiter.PerUser zips and mixes running at once.
        project.MapPost("/mix", async (int projectId, MixRequest request, HttpContext http, MixExport mixes, DownloadLimiter limiter) =>
        {
            using var slot = limiter.TryEnter(ProjectAccess.UserId(http.User)!);
            if (slot is null)
            {
                http.Response.Headers.RetryAfter = "10";
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
                    detail: $"you have {DownloadLimiter.PerUser} downloads or mix exports running; wait for one to finish");
            }
            var mix = await mixes.RenderAsync(projectId, request, http.RequestAborted);
            http.Response.Headers["X-Mix-Gain-Reduction-Db"] = mix.GainReductionDb.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
            return Results.File(mix.OpenRead(), mix.ContentType, mix.FileName);
        });

        // A candidate as a file named like the stem it would become ("Bass (generated #12.1).wav").
        project.MapGet("/candidates/{candidateId:int}/download", async (int projectId, int candidateId, StudioDbContext db, IBlobStore store, CancellationToken ct) =>
        {
            var candidate = await db.GenerationCandidates.AsNoTracking().Include(c => c.Job)
                .FirstOrDefaultAsync(c => c.Id == candidateId && c.Job!.ProjectId == projectId, ct);
            return candidate is null ? Results.NotFound()
                : Results.File(store.OpenRead(candidate.BlobHash), "audio/wav",
                    StemFiles.SafeFileName(GeneratedStemName.Of(candidate.Job!.TargetCategory, candidate.JobId, candidate.Index), ".wav"), enableRangeProcessing: true);
        });
    }
}
