using StemGen.Web.Data;
using StemGen.Web.Listening;
using StemGen.Web.Storage;

namespace StemGen.Web.Endpoints;

public sealed record PlaybackRequest(double Position, bool Ended);
public sealed record RatingRequest(int Score);
public sealed record StudyInviteRequest(string UserName);
public sealed record ScreeningRequest(ScreeningRule Rule, double ReferenceBelow, double AnchorAbove, double MaxFailPercent);

/// <summary>
/// Listening tests over HTTP. /api/listen is for Listeners (and Admins) and speaks only of opaque clip
/// ids: a clip that is not assigned to the caller is 404, whether it exists or not. /api/admin/studies
/// is for Admins: design, invites, screening, results and the CSV export.
/// </summary>
public static class ListeningEndpoints
{
    public static IEndpointRouteBuilder MapListeningEndpoints(this IEndpointRouteBuilder app)
    {
        var listen = app.MapGroup("/api/listen").RequireAuthorization(p => p.RequireRole(Roles.Listener, Roles.Admin)).AddEndpointFilter<ApiAntiforgeryFilter>();

        listen.MapGet("/studies", async (HttpContext http, ListeningSessions sessions) =>
            Results.Ok(await sessions.AvailableAsync(Me(http), http.RequestAborted)));

        // Starting is idempotent: the first call draws the listener's order, later ones return it.
        listen.MapPost("/studies/{studyId:int}/session", async (int studyId, HttpContext http, ListeningSessions sessions) =>
            await sessions.StartAsync(Me(http), studyId, http.RequestAborted) is { } session ? Results.Ok(session) : Results.NotFound());

        // No file name, no Content-Disposition: the URL's random id is all a listener learns.
        listen.MapGet("/clips/{clipId}/audio", async (string clipId, HttpContext http, ListeningSessions sessions, IBlobStore blobs) =>
        {
            if (await sessions.AudioBlobAsync(Me(http), clipId, http.RequestAborted) is not { } hash) return Results.NotFound();
            http.Response.Headers.CacheControl = "private, no-store";
            return Results.File(blobs.OpenRead(hash), "audio/wav", enableRangeProcessing: true);
        });

        listen.MapPost("/clips/{clipId}/playback", async (string clipId, PlaybackRequest request, HttpContext http, ListeningSessions sessions) =>
            Results.Ok(await sessions.RecordPlaybackAsync(Me(http), clipId, request.Position, request.Ended, http.RequestAborted)));

        listen.MapPost("/clips/{clipId}/rating", async (string clipId, RatingRequest request, HttpContext http, ListeningSessions sessions) =>
            {
                try { await sessions.RateAsync(Me(http), clipId, request.Score, http.RequestAborted); }
                catch (AlreadyRatedException e) { return Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: e.Message); }
                return Results.NoContent();
            });

        var admin = app.MapGroup("/api/admin/studies").RequireAuthorization(p => p.RequireRole(Roles.Admin)).AddEndpointFilter<ApiAntiforgeryFilter>();

        admin.MapGet("/", async (StudyService studies, CancellationToken ct) => Results.Ok(await studies.ListAsync(ct)));

        admin.MapPost("/", async (StudyDesign design, HttpContext http, StudyService studies) =>
            {
                var study = await studies.CreateAsync(Me(http), design, http.RequestAborted);
                return Results.Created($"/api/admin/studies/{study.Id}", new { study.Id, study.State });
            });

        admin.MapGet("/{studyId:int}", async (int studyId, StudyResults results, CancellationToken ct) =>
            await results.ReportAsync(studyId, ct) is { } report ? Results.Ok(Summary(report)) : Results.NotFound());

        admin.MapPost("/{studyId:int}/invites", async (int studyId, StudyInviteRequest request, StudyService studies, CancellationToken ct) =>
            { await studies.InviteAsync(studyId, request.UserName, ct); return Results.NoContent(); });

        admin.MapPut("/{studyId:int}/screening", async (int studyId, ScreeningRequest request, StudyService studies, CancellationToken ct) =>
            {
                await studies.SetScreeningAsync(studyId, request.Rule, request.ReferenceBelow, request.AnchorAbove, request.MaxFailPercent, ct);
                return Results.NoContent();
            });

        admin.MapPost("/{studyId:int}/close", async (int studyId, StudyService studies, CancellationToken ct) =>
            { await studies.SetClosedAsync(studyId, true, ct); return Results.NoContent(); });

        admin.MapGet("/{studyId:int}/ratings.csv", async (int studyId, StudyResults results, CancellationToken ct) =>
            await results.ReportAsync(studyId, ct) is { } report
                ? Results.File(System.Text.Encoding.UTF8.GetBytes(RatingsCsv.Write(report.Ratings)), "text/csv; charset=utf-8", $"study-{studyId}-ratings.csv")
                : Results.NotFound());
        return app;
    }

    private static string Me(HttpContext http) => ProjectAccess.UserId(http.User)!;

    /// <summary>The report without the study's secrets (the pseudonym key) and without raw rows (the CSV has them).</summary>
    private static object Summary(StudyReport report) => new
    {
        report.Study.Id, report.Study.Name, report.Study.State, report.Study.ProgressPercent, report.Study.Phase, report.Study.Error,
        report.Study.Seed, report.Study.Screening,
        Conditions = report.Conditions.Select(c => new
        {
            c.Id, c.Name, c.Kind, c.Model, c.Items, c.Ratings, c.Mean, T = Interval(c.T), c.TNote,
            RandomEffects = Interval(c.RandomEffects), c.RandomEffectsNote, c.Histogram,
        }),
        Pairs = report.Pairs.Select(p => new { p.A, p.B, Difference = Interval(p.Difference), p.Note }),
        Raters = report.Raters,
    };

    /// <summary>JSON has no infinity: a random-effects interval without variance has infinite degrees of freedom, written as null.</summary>
    private static object? Interval(StemGen.Evaluation.Mos.MosInterval? i) => i is null ? null : new
    {
        i.Mean, i.Low, i.High, i.HalfWidth, DegreesOfFreedom = double.IsFinite(i.DegreesOfFreedom) ? i.DegreesOfFreedom : (double?)null, i.Ratings, i.Method,
    };
}
