using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using StemGen.Data;
using StemGen.Web.Data;
using StemGen.Web.Projects;
using StemGen.Web.Events;
using StemGen.Web.Hubs;
using StemGen.Web.Storage;
using StemGen.Web.Uploads;

namespace StemGen.Web.Endpoints;

public sealed record NameRequest(string Name);
public sealed record InviteRequest(string UserName, ProjectRole Role);
public sealed record StemUpdateRequest(string? Name, InstrumentCategory? Category);

/// <summary>The project API: projects, members, stems (upload, edit, audio, downloads). Every route below /api/projects/{projectId} goes through the membership filter.</summary>
public static class ProjectEndpoints
{
    public static RouteGroupBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/projects").RequireAuthorization().AddEndpointFilter<ApiAntiforgeryFilter>();

        api.MapGet("/", async (HttpContext http, ProjectService projects) =>
            Results.Ok(await projects.ListForUserAsync(ProjectAccess.UserId(http.User)!, http.RequestAborted)));

        api.MapPost("/", async (NameRequest request, HttpContext http, ProjectService projects) =>
            {
                var project = await projects.CreateAsync(ProjectAccess.UserId(http.User)!, request.Name, http.RequestAborted);
                return Results.Created($"/api/projects/{project.Id}", new { project.Id, project.Name });
            });

        var project = api.MapGroup("/{projectId:int}").AddEndpointFilter<ProjectMembershipFilter>();

        project.MapGet("/", async (int projectId, HttpContext http, StudioDbContext db) =>
        {
            var p = await db.Projects.AsNoTracking().FirstAsync(x => x.Id == projectId, http.RequestAborted);
            return Results.Ok(new { p.Id, p.Name, p.CreatedAt, Role = ProjectMembershipFilter.RoleOf(http) });
        });

        project.MapPut("/", async (int projectId, NameRequest request, ProjectService projects, CancellationToken ct) =>
            {
                await projects.RenameAsync(projectId, request.Name, ct);
                return Results.NoContent();
            }).RequiresRole(ProjectRole.Owner);

        project.MapDelete("/", async (int projectId, ProjectService projects, CancellationToken ct) =>
        {
            await projects.DeleteAsync(projectId, ct);
            return Results.NoContent();
        }).RequiresRole(ProjectRole.Owner);

        project.MapGet("/members", async (int projectId, ProjectService projects, CancellationToken ct) =>
            Results.Ok(await projects.MembersAsync(projectId, ct)));

        project.MapPost("/members", async (int projectId, InviteRequest request, ProjectService projects, CancellationToken ct) =>
            {
                var member = await projects.InviteAsync(projectId, request.UserName, request.Role, ct);
                return Results.Ok(new { member.UserId, member.Role });
            }).RequiresRole(ProjectRole.Owner);

        project.MapDelete("/members/{userId}", async (int projectId, string userId, ProjectService projects, CancellationToken ct) =>
            {
                await projects.RemoveMemberAsync(projectId, userId, ct);
                return Results.NoContent();
            }).RequiresRole(ProjectRole.Owner);

        MapStems(project);
        return project;
    }

    private static void MapStems(RouteGroupBuilder project)
    {
        project.MapGet("/stems", async (int projectId, StudioDbContext db, CancellationToken ct) =>
            Results.Ok(await db.Stems.AsNoTracking().Where(s => s.ProjectId == projectId).OrderBy(s => s.Id)
                .Select(s => new { s.Id, s.Name, s.Category, s.Format, s.DurationSeconds, s.SampleRate, s.Channels, s.SizeBytes, s.SourceJobId })
                .ToListAsync(ct)));

        // Streaming multipart upload: not form-bound on purpose (no buffering), so the filter checks anti-forgery.
        project.MapPost("/stems", async (int projectId, HttpRequest request, StemUploadService uploads, ProjectEvents events) =>
        {
            try
            {
                var stems = await uploads.ReceiveAsync(request, projectId, request.HttpContext.RequestAborted);
                events.Publish(new ProjectChangedEvent(projectId, "stems"));
                return Results.Ok(stems.Select(s => new { s.Id, s.Name, s.Category, s.DurationSeconds, s.SampleRate, s.Channels, s.Format }));
            }
            catch (UploadRefusedException e)
            {
                var status = e.Refusals.Any(r => r.Reason == UploadReasons.TooBig) ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
                return Results.Json(new { error = "upload refused; nothing was stored", refusals = e.Refusals }, statusCode: status);
            }
        }).RequiresRole(ProjectRole.Editor).DisableAntiforgery();

        // The stem service makes the checks and publishes the event (the project page calls the same service).
        project.MapPatch("/stems/{stemId:int}", async (int projectId, int stemId, StemUpdateRequest request, StemService stems, CancellationToken ct) =>
        {
            await stems.UpdateAsync(projectId, stemId, request.Name, request.Category, ct);
            return Results.NoContent();
        }).RequiresRole(ProjectRole.Editor);

        project.MapDelete("/stems/{stemId:int}", async (int projectId, int stemId, StemService stems, CancellationToken ct) =>
        {
            await stems.DeleteAsync(projectId, stemId, ct);
            return Results.NoContent();
        }).RequiresRole(ProjectRole.Editor);

        // The browser's <audio> element plays this with range requests (seeking without downloading everything).
        project.MapGet("/stems/{stemId:int}/audio", async (int projectId, int stemId, StudioDbContext db, IBlobStore store, CancellationToken ct) =>
        {
            var stem = await db.Stems.AsNoTracking().FirstOrDefaultAsync(s => s.Id == stemId && s.ProjectId == projectId, ct);
            return stem is null ? Results.NotFound()
                : Results.File(store.OpenRead(stem.BlobHash), StemFiles.ContentType(stem.Format), enableRangeProcessing: true);
        });

        project.MapGet("/stems/{stemId:int}/download", async (int projectId, int stemId, StudioDbContext db, IBlobStore store, CancellationToken ct) =>
        {
            var stem = await db.Stems.AsNoTracking().FirstOrDefaultAsync(s => s.Id == stemId && s.ProjectId == projectId, ct);
            return stem is null ? Results.NotFound()
                : Results.File(store.OpenRead(stem.BlobHash), StemFiles.ContentType(stem.Format),
                    StemFiles.SafeFileName(stem.Name, StemFiles.Extension(stem.Format)), enableRangeProcessing: true);
        });

        project.MapGet("/stems/{stemId:int}/peaks", async (int projectId, int stemId, StudioDbContext db, CancellationToken ct) =>
        {
            var stem = await db.Stems.AsNoTracking().FirstOrDefaultAsync(s => s.Id == stemId && s.ProjectId == projectId, ct);
            return stem is null ? Results.NotFound() : Results.Ok(Peaks.ToJson(stem.Peaks, stem.DurationSeconds));
        });

        // The zip streams straight into the response (no copy on disk), stops when the client goes, and
        // each user has at most DownloadLimiter.PerUser of them running.
        project.MapGet("/download", async (int projectId, HttpContext http, StudioDbContext db, IBlobStore store, DownloadLimiter limiter) =>
        {
            var ct = http.RequestAborted;
            using var slot = limiter.TryEnter(ProjectAccess.UserId(http.User)!);
            if (slot is null)
            {
                http.Response.Headers.RetryAfter = "10";
                return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
                    detail: $"you have {DownloadLimiter.PerUser} downloads running; wait for one to finish");
            }
            var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == projectId, ct);
            var stems = await db.Stems.AsNoTracking().Where(s => s.ProjectId == projectId).OrderBy(s => s.Id)
                .Select(s => new { s.Name, s.Format, s.BlobHash }).ToListAsync(ct);
            var names = StemFiles.UniqueFileNames(stems.Select(s => (s.Name, StemFiles.Extension(s.Format))));
            http.Response.ContentType = "application/zip";
            http.Response.Headers.ContentDisposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment")
            { FileNameStar = StemFiles.SafeFileName(project.Name, ".zip") }.ToString();
            var body = new AsyncOnlyStream(http.Response.Body);
            await using (var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
            {
                for (var i = 0; i < stems.Count; i++)
                {
                    var entry = zip.CreateEntry(names[i], stems[i].Format is "WAV" ? CompressionLevel.Fastest : CompressionLevel.NoCompression);
                    await using (var target = await entry.OpenAsync(ct))
                    await using (var source = store.OpenRead(stems[i].BlobHash))
                        await source.CopyToAsync(target, ct);
                    await body.FlushAsync(ct);
                }
            }
            await body.FlushAsync(ct);
            return Results.Empty;
        });
    }
}

/// <summary>Stored peaks (signed-byte min/max pairs) as wavesurfer.js wants them: one channel of absolute peaks in 0..1.</summary>
public static class Peaks
{
    public static object ToJson(byte[] peaks, double durationSeconds)
    {
        var values = new float[peaks.Length / 2];
        for (var i = 0; i < values.Length; i++)
            values[i] = Math.Max(Math.Abs((sbyte)peaks[2 * i]), Math.Abs((sbyte)peaks[2 * i + 1])) / 127f;
        return new { duration = durationSeconds, peaks = new[] { values } };
    }
}
