using StemGen.Web.Data;
using StemGen.Web.Datasets;

namespace StemGen.Web.Endpoints;

/// <summary>
/// /api/admin/datasets (Admin): the imported datasets with their figures, the Slakh folders that can be
/// imported, the codecs; import, render and token-cache tasks (each a Hangfire job), their state, and cancel.
/// </summary>
public static class DatasetEndpoints
{
    public static IEndpointRouteBuilder MapDatasetEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/datasets").RequireAuthorization(p => p.RequireRole(Roles.Admin)).AddEndpointFilter<ApiAntiforgeryFilter>();

        admin.MapGet("/", (DatasetCatalog catalog, DatasetService datasets) => Results.Ok(new
        {
            catalog.Root,
            Imported = catalog.Imported(),
            SlakhFolders = catalog.SlakhFolders(),
            Codecs = datasets.Codecs().Select(c => c.Name),
        }));

        admin.MapGet("/tasks", async (DatasetService datasets, CancellationToken ct) => Results.Ok(await datasets.ListAsync(ct)));

        admin.MapGet("/tasks/{taskId:int}", async (int taskId, DatasetService datasets, CancellationToken ct) =>
            await datasets.GetAsync(taskId, ct) is { } task ? Results.Ok(task) : Results.NotFound());

        admin.MapPost("/import", async (ImportRequest request, HttpContext http, DatasetService datasets) =>
            Created(await datasets.ImportAsync(Me(http), request, http.RequestAborted)));

        admin.MapPost("/synthesize", async (SynthRequest request, HttpContext http, DatasetService datasets) =>
            Created(await datasets.SynthesizeAsync(Me(http), request, http.RequestAborted)));

        admin.MapPost("/tokens", async (TokenCacheRequest request, HttpContext http, DatasetService datasets) =>
            Created(await datasets.BuildTokensAsync(Me(http), request, http.RequestAborted)));

        admin.MapPost("/tasks/{taskId:int}/cancel", async (int taskId, DatasetService datasets, CancellationToken ct) =>
            await datasets.CancelAsync(taskId, ct)
                ? Results.NoContent()
                : Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: "the task has already finished"));

        return app;
    }

    private static IResult Created(DatasetTask task) => Results.Created($"/api/admin/datasets/tasks/{task.Id}", new { task.Id, task.State, task.Output });

    private static string Me(HttpContext http) => ProjectAccess.UserId(http.User)!;
}
