using System.Text;
using System.Text.Json;
using StemGen.Web.Data;
using StemGen.Web.Evaluations;

namespace StemGen.Web.Endpoints;

/// <summary>/api/admin/evaluations (Admin): evaluations, launch, one evaluation with its report, cancel, and the report as JSON or CSV files.</summary>
public static class EvaluationEndpoints
{
    public static IEndpointRouteBuilder MapEvaluationEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/evaluations").RequireAuthorization(p => p.RequireRole(Roles.Admin)).AddEndpointFilter<ApiAntiforgeryFilter>();

        admin.MapGet("/", async (EvaluationService evaluations, CancellationToken ct) => Results.Ok(await evaluations.ListAsync(ct)));

        admin.MapPost("/", async (EvaluationRequest request, HttpContext http, EvaluationService evaluations) =>
            {
                var run = await evaluations.LaunchAsync(ProjectAccess.UserId(http.User)!, request, http.RequestAborted);
                return Results.Created($"/api/admin/evaluations/{run.Id}", new { run.Id, run.State });
            });

        admin.MapGet("/{id:int}", async (int id, EvaluationService evaluations, CancellationToken ct) =>
            await evaluations.GetAsync(id, ct) is { } run
                ? Results.Ok(new
                {
                    run.Id, run.Model, run.CodecIdentity, run.Dataset, run.Split, run.Runs, run.Examples, run.Seconds, run.Embedding, run.Seed, run.Steps,
                    run.Table1Scales, run.Table2Ws, run.StepsGrid, run.State, run.Phase, run.Percent, run.Error, run.CreatedAt, run.FinishedAt,
                    // The report's own JSON (its NaNs written as strings, which the API's serializer would refuse), once it succeeded.
                    Report = run.State == TaskState.Succeeded && run.ReportJson is { } json ? JsonDocument.Parse(json).RootElement : (JsonElement?)null,
                })
                : Results.NotFound());

        admin.MapPost("/{id:int}/cancel", async (int id, EvaluationService evaluations, CancellationToken ct) =>
            { await evaluations.CancelAsync(id, ct); return Results.NoContent(); });

        admin.MapGet("/{id:int}/report.json", (int id, EvaluationService evaluations, CancellationToken ct) =>
            Download(id, evaluations, r => r.ToJson(), "application/json", "json", ct));
        admin.MapGet("/{id:int}/report.csv", (int id, EvaluationService evaluations, CancellationToken ct) =>
            Download(id, evaluations, r => r.ToCsv(), "text/csv", "csv", ct));
        return app;
    }

    /// <summary>The report of a succeeded evaluation as a file; 404 before it succeeded.</summary>
    private static async Task<IResult> Download(int id, EvaluationService evaluations, Func<StemGen.Evaluation.Suite.EvaluationReport, string> text, string type,
        string extension, CancellationToken ct) =>
        await evaluations.GetAsync(id, ct) is { } run && EvaluationService.ReportOf(run) is { } report
            ? Results.File(Encoding.UTF8.GetBytes(text(report)), type, $"evaluation-{id}-report.{extension}")
            : Results.NotFound();
}
