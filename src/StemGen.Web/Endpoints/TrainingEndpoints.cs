using StemGen.Model.Training;
using StemGen.Web.Data;
using StemGen.Web.Training;

namespace StemGen.Web.Endpoints;

/// <summary>/api/admin/training (Admin): runs, launch, one run with its curve points and log, pause, resume, cancel, export, listening check; /api/admin/models: list, serve, roll back.</summary>
public static class TrainingEndpoints
{
    public static IEndpointRouteBuilder MapTrainingEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/training").RequireAuthorization(p => p.RequireRole(Roles.Admin)).AddEndpointFilter<ApiAntiforgeryFilter>();

        admin.MapGet("/", async (TrainingService runs, CancellationToken ct) => Results.Ok(await runs.ListAsync(ct)));

        admin.MapPost("/", async (TrainingRequest request, HttpContext http, TrainingService runs) =>
            {
                var run = await runs.LaunchAsync(ProjectAccess.UserId(http.User)!, request, http.RequestAborted);
                return Results.Created($"/api/admin/training/{run.Id}", new { run.Id, run.State });
            });

        admin.MapGet("/{runId:int}", async (int runId, TrainingService runs, CancellationToken ct) =>
            await runs.GetAsync(runId, ct) is { } run
                ? Results.Ok(new
                {
                    run.Id, run.Dataset, run.Codec, run.CodecIdentity, run.Preset, run.Steps, run.Batch, run.SeqFrames, run.LearningRate, run.ContextDropout,
                    run.Seed, run.Device, run.State, run.Step, run.Phase, run.Error, run.ParameterCount, run.BestValidationAccuracy, run.BestStep, run.Exported,
                    run.ListeningCheck, run.ListeningGain,
                    ListeningCheckResult = run.ListeningCheck == TaskState.Succeeded ? ListeningCheckResult.FromJson(run.ListeningCheckJson) : null,
                    ListeningCheckError = run.ListeningCheck == TaskState.Failed ? run.ListeningCheckJson : null,
                    Points = run.Points.Select(p => new { p.Step, p.Validation, p.Loss, p.LevelAccuracy, p.LevelLoss, p.LearningRate, p.TokensPerSecond }),
                    Log = runs.LogTail(run),
                })
                : Results.NotFound());

        admin.MapPost("/{runId:int}/pause", async (int runId, TrainingService runs, CancellationToken ct) =>
            { await runs.PauseAsync(runId, ct); return Results.NoContent(); });
        admin.MapPost("/{runId:int}/resume", async (int runId, TrainingService runs, CancellationToken ct) =>
            { await runs.ResumeAsync(runId, ct); return Results.NoContent(); });
        admin.MapPost("/{runId:int}/cancel", async (int runId, TrainingService runs, CancellationToken ct) =>
            { await runs.CancelAsync(runId, ct); return Results.NoContent(); });
        admin.MapPost("/{runId:int}/export", async (int runId, TrainingService runs, CancellationToken ct) =>
            { await runs.ExportAsync(runId, ct); return Results.NoContent(); });
        admin.MapPost("/{runId:int}/listening-check", async (int runId, TrainingService runs, CancellationToken ct) =>
            { await runs.CheckListeningAsync(runId, ct); return Results.Accepted($"/api/admin/training/{runId}"); });

        var models = app.MapGroup("/api/admin/models").RequireAuthorization(p => p.RequireRole(Roles.Admin)).AddEndpointFilter<ApiAntiforgeryFilter>();
        models.MapGet("/", async (ModelLibrary library, CancellationToken ct) => Results.Ok(await library.ListAsync(ct)));
        models.MapGet("/served", async (ModelServing serving, CancellationToken ct) =>
            Results.Ok(new { Current = await serving.DescribeAsync(ct), History = await serving.HistoryAsync(ct) }));
        models.MapPost("/serve", async (ServeRequest request, HttpContext http, ModelServing serving) =>
            Results.Ok(await serving.ServeAsync(ProjectAccess.UserId(http.User)!, request.Name, http.RequestAborted)));
        models.MapPost("/rollback", async (HttpContext http, ModelServing serving) =>
            Results.Ok(await serving.RollbackAsync(ProjectAccess.UserId(http.User)!, http.RequestAborted)));
        return app;
    }
}

public sealed record ServeRequest(string? Name);
