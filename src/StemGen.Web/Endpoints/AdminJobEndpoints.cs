using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;

namespace StemGen.Web.Endpoints;

/// <summary>/api/admin/generation-jobs/{id} (Admin): a generation job's failure as it happened (the whole exception), which project members see only in their terms.</summary>
public static class AdminJobEndpoints
{
    public static IEndpointRouteBuilder MapAdminJobEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/generation-jobs/{jobId:int}", async (int jobId, StudioDbContext db, CancellationToken ct) =>
                await db.GenerationJobs.AsNoTracking().Where(j => j.Id == jobId)
                    .Select(j => new { j.Id, j.ProjectId, j.State, j.Device, j.Lease, j.Error, j.ErrorDetail }).FirstOrDefaultAsync(ct) is { } job
                    ? Results.Ok(job) : Results.NotFound())
            .RequireAuthorization(p => p.RequireRole(Roles.Admin));
        return app;
    }
}
