using StemGen.Web.Data;
using StemGen.Web.Training;

namespace StemGen.Web.Endpoints;

/// <summary>/api/admin/training (Admin): runs, launch, one run with its curve points and log, pause, resume, cancel.</summary>
public static class TrainingEndpoints
{
    public static IEndpointRouteBuilder MapTrainingEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/training").RequireAuthorization(p => p.RequireRole(Roles.Admin)).AddEndpointFilter<ApiAntiforgeryFilter>();

        admin.MapGet("/", async (TrainingService runs, CancellationToken ct) => Results.Ok(await runs.ListAsync(ct)));

        admin.MapPost("/", async (TrainingRequest request, HttpContext http, TrainingService runs) =>
            await ProjectEndpoints.Validated(async () =>
            {
                var run = await runs.LaunchAsync(ProjectAccess.UserId(http.User)!, request, http.RequestAborted);
                return Results.Created($"/api/admin/training/{run.Id}", new { run.Id, run.State });
            }));

        admin.MapGet("/{runId:int}", async (int runId, TrainingService runs, CancellationToken ct) =>
            await runs.GetAsync(runId, ct) is { } run
                ? Results.Ok(new
                {
                    run.Id, run.Dataset, run.Codec, run.CodecIdentity, run.Preset, run.Steps, run.Batch, run.SeqFrames, run.LearningRate, run.ContextDropout,
                    run.Seed, run.Device, run.State, run.Step, run.Phase, run.Error, run.ParameterCount, run.BestValidationAccuracy, run.BestStep, run.Exported,
                    Points = run.Points.Select(p => new { p.Step, p.Validation, p.Loss, p.LevelAccuracy, p.LevelLoss, p.LearningRate, p.TokensPerSecond }),
                    Log = runs.LogTail(run),
                })
                : Results.NotFound());

        admin.MapPost("/{runId:int}/pause", async (int runId, TrainingService runs, CancellationToken ct) =>
            await ProjectEndpoints.Validated(async () => { await runs.PauseAsync(runId, ct); return Results.NoContent(); }));
        admin.MapPost("/{runId:int}/resume", async (int runId, TrainingService runs, CancellationToken ct) =>
            await ProjectEndpoints.Validated(async () => { await runs.ResumeAsync(runId, ct); return Results.NoContent(); }));
        admin.MapPost("/{runId:int}/cancel", async (int runId, TrainingService runs, CancellationToken ct) =>
            await ProjectEndpoints.Validated(async () => { await runs.CancelAsync(runId, ct); return Results.NoContent(); }));
        app.MapGet("/api/admin/models", async (ModelLibrary models, CancellationToken ct) => Results.Ok(await models.ListAsync(ct)))
            .RequireAuthorization(p => p.RequireRole(Roles.Admin));
        return app;
    }
}
