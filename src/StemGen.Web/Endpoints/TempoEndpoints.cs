using Microsoft.EntityFrameworkCore;
using StemGen.Web.Data;
using StemGen.Web.Projects;

namespace StemGen.Web.Endpoints;

/// <summary>A tempo to set: BPM (null clears it) and beats per bar (4 when left out).</summary>
public sealed record TempoRequest(double? Bpm, int BeatsPerBar = Project.DefaultBeatsPerBar);

/// <summary>A project's tempo: read, set, estimate from its stems, add a click track (<see cref="TempoService"/>).</summary>
public static class TempoEndpoints
{
    public static void MapTempoEndpoints(this IEndpointRouteBuilder app)
    {
        var project = app.MapProjectGroup();

        project.MapGet("/tempo", async (int projectId, StudioDbContext db, CancellationToken ct) =>
        {
            var p = await db.Projects.AsNoTracking().FirstAsync(x => x.Id == projectId, ct);
            return Results.Ok(new { bpm = p.TempoBpm, beatsPerBar = p.BeatsPerBar });
        });

        project.MapPut("/tempo", async (int projectId, TempoRequest request, TempoService tempo, CancellationToken ct) =>
            {
                var p = await tempo.SetTempoAsync(projectId, request.Bpm, request.BeatsPerBar, ct);
                return Results.Ok(new { bpm = p.TempoBpm, beatsPerBar = p.BeatsPerBar });
            }).RequiresRole(ProjectRole.Editor);

        project.MapPost("/tempo/estimate", async (int projectId, TempoService tempo, CancellationToken ct) =>
                Results.Ok(await tempo.EstimateAsync(projectId, ct)))
            .RequiresRole(ProjectRole.Editor);

        project.MapPost("/click", async (int projectId, TempoService tempo, CancellationToken ct) =>
            {
                var stem = await tempo.AddClickTrackAsync(projectId, ct);
                return Results.Created($"/api/projects/{projectId}/stems/{stem.Id}",
                    new { stem.Id, stem.Name, stem.Category, stem.DurationSeconds, stem.SampleRate, stem.Channels, stem.Format });
            }).RequiresRole(ProjectRole.Editor);
    }
}
