using StemGen.Web.Data;
using StemGen.Web.Jobs;

namespace StemGen.Web.Endpoints;

/// <summary>/api/admin/workers (Admin): the per-worker keys: list, create (the answer carries the key, once), revoke.</summary>
public static class WorkerKeyEndpoints
{
    public sealed record CreateWorkerKey(string Name);

    public static IEndpointRouteBuilder MapWorkerKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/workers").RequireAuthorization(p => p.RequireRole(Roles.Admin)).AddEndpointFilter<ApiAntiforgeryFilter>();

        admin.MapGet("/", async (WorkerKeyStore keys, CancellationToken ct) => Results.Ok(await keys.ListAsync(ct)));

        admin.MapPost("/", async (CreateWorkerKey request, HttpContext http, WorkerKeyStore keys) =>
        {
            var (key, secret) = await keys.CreateAsync(ProjectAccess.UserId(http.User)!, request.Name, http.RequestAborted);
            return Results.Created($"/api/admin/workers/{key.Id}", new { key.Id, key.Name, key.CreatedAt, Key = secret });
        });

        admin.MapDelete("/{id:int}", async (int id, HttpContext http, WorkerKeyStore keys) =>
        {
            await keys.RevokeAsync(ProjectAccess.UserId(http.User)!, id, http.RequestAborted);
            return Results.NoContent();
        });
        return app;
    }
}
