using StemGen.Jobs;
using StemGen.Web.Jobs;
using StemGen.Web.Training;

namespace StemGen.Web.Endpoints;

/// <summary>
/// What remote GPU workers call (with a worker key, see <see cref="WorkerKeyAuthentication"/>): claim a
/// job, read its stems, store candidates, finish. Progress goes over the worker hub. Every call is
/// safe to repeat. The same ledger serves the studio's own server in process.
/// </summary>
public static class WorkerEndpoints
{
    public static void MapWorkerEndpoints(this IEndpointRouteBuilder app)
    {
        // The served model: its reference (204 while the configured model is served) and the file of a model that is or was served.
        app.MapGet("/api/worker/model", async (ModelServing serving, CancellationToken ct) =>
            await serving.ReferenceAsync(ct) is { } model ? Results.Ok(model) : Results.NoContent()).RequireAuthorization(WorkerKeyAuthentication.Policy);
        app.MapGet("/api/worker/models/{sha256}", async (string sha256, ModelServing serving, CancellationToken ct) =>
            await serving.FileAsync(sha256, ct) is { } path ? Results.File(path, "application/octet-stream", enableRangeProcessing: false) : Results.NotFound())
            .RequireAuthorization(WorkerKeyAuthentication.Policy);

        var jobs = app.MapGroup("/api/worker/jobs/{jobId:int}").RequireAuthorization(WorkerKeyAuthentication.Policy);

        // A worker touches only the job it claimed, between its claim and its end (WorkerLeases): anything else is 403 or 404, logged.
        jobs.MapPost("/claim", async (int jobId, ClaimRequest request, HttpContext http, WorkerLeases leases, JobLedger ledger, CancellationToken ct) =>
        {
            var (verdict, lease) = await leases.ClaimableAsync(jobId, http.User, ct);
            if (verdict != WorkerLeases.Verdict.Allowed || lease is null) return WorkerLeases.Answer(verdict);
            return await ledger.ClaimAsync(jobId, request.Device, request.Model, ct, lease) is { } ticket ? Results.Ok(ticket) : Results.NoContent();
        });

        jobs.MapGet("/stems/{stemId:int}", async (int jobId, int stemId, HttpContext http, WorkerLeases leases, JobLedger ledger, CancellationToken ct) =>
            await leases.CheckAsync(jobId, http.User, $"stem {stemId}", ct) is var verdict && verdict != WorkerLeases.Verdict.Allowed ? WorkerLeases.Answer(verdict)
            : await ledger.OpenStemAsync(jobId, stemId, ct) is { } content ? Results.Stream(content, "application/octet-stream") : Results.NotFound());

        jobs.MapGet("/candidates", async (int jobId, HttpContext http, WorkerLeases leases, JobLedger ledger, CancellationToken ct) =>
            await leases.CheckAsync(jobId, http.User, "stored candidates", ct) is var verdict && verdict != WorkerLeases.Verdict.Allowed ? WorkerLeases.Answer(verdict)
            : Results.Ok(await ledger.StoredCandidatesAsync(jobId, ct)));

        jobs.MapPut("/candidates/{index:int}", async (int jobId, int index, HttpContext http, WorkerLeases leases, JobLedger ledger, CandidateUploadLimit limit, CancellationToken ct) =>
            {
                if (await leases.CheckAsync(jobId, http.User, $"candidate {index}", ct) is var verdict && verdict != WorkerLeases.Verdict.Allowed) return WorkerLeases.Answer(verdict);
                limit.Apply(http);
                await ledger.StoreCandidateAsync(jobId, index, http.Request.Body, ct);
                return Results.NoContent();
            });

        jobs.MapPost("/finish", async (int jobId, JobOutcome outcome, HttpContext http, WorkerLeases leases, JobLedger ledger, CancellationToken ct) =>
        {
            if (await leases.CheckAsync(jobId, http.User, $"finish ({outcome.Kind})", ct) is var verdict && verdict != WorkerLeases.Verdict.Allowed) return WorkerLeases.Answer(verdict);
            await ledger.FinishAsync(jobId, outcome, ct);
            return Results.NoContent();
        });
    }
}

public sealed record ClaimRequest(string Device, string? Model = null);
