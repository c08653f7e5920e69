using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using StemGen.Data;
using StemGen.Web.Components.Studio;
using StemGen.Web.Data;
using StemGen.Jobs;
using StemGen.Web.Jobs;

namespace StemGen.Web.Tests.Components;

/// <summary>The project page's parts rendered with bUnit: what they say and what they hand to the page, without a browser or a server.</summary>
public sealed class StudioComponentTests : IAsyncLifetime
{
    private readonly BunitContext context = new();

    public StudioComponentTests()
    {
        context.Services.AddMudServices();
        context.Services.AddSingleton(Options.Create(new UploadOptions { MaxFileBytes = 5 * 1024 * 1024, MaxDurationSeconds = 90 }));
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        // Buttons that need the live circuit are enabled only in interactive rendering.
        context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only asynchronously disposable.
    public async Task DisposeAsync() => await context.DisposeAsync();

    private static Stem Track(int id, string name, InstrumentCategory category) => new()
    {
        Id = id, ProjectId = 1, Name = name, Category = category, BlobHash = new string('a', 64), Format = "WAV",
        DurationSeconds = 2, SampleRate = 32000, Channels = 1, Peaks = [],
    };

    private static readonly Stem[] Tracks = [Track(1, "drums", InstrumentCategory.Drums), Track(2, "keys", InstrumentCategory.Piano)];

    [Fact]
    public void Generate_uses_every_track_as_context_by_default_and_says_so()
    {
        (InstrumentCategory Category, GenerationParameters Parameters)? sent = null;
        var panel = context.Render<GeneratePanel>(p => p
            .Add(x => x.Stems, Tracks)
            .Add(x => x.Generate, request => { sent = request; }));

        Assert.Contains("all 2 tracks (drums, keys)", panel.Find("#context-summary").TextContent);
        panel.Find("#generate").Click();

        Assert.NotNull(sent);
        Assert.Equal(InstrumentCategory.Bass, sent.Value.Category);
        Assert.Equal([1, 2], sent.Value.Parameters.ContextStemIds);
        Assert.Equal("best", sent.Value.Parameters.Preset);
    }

    [Fact]
    public void Unticked_tracks_leave_the_context()
    {
        GenerationParameters? sent = null;
        var panel = context.Render<GeneratePanel>(p => p
            .Add(x => x.Stems, Tracks)
            .Add(x => x.ExcludedFromContext, new HashSet<int> { 1 })
            .Add(x => x.Generate, request => { sent = request.Parameters; }));

        Assert.Contains("1 of 2 tracks (keys)", panel.Find("#context-summary").TextContent);
        panel.Find("#generate").Click();
        Assert.Equal([2], sent!.ContextStemIds);
    }

    [Fact]
    public void Without_tracks_generate_is_disabled_and_the_page_says_why()
    {
        var panel = context.Render<GeneratePanel>(p => p.Add(x => x.Stems, Array.Empty<Stem>()));
        Assert.Contains("none yet", panel.Find("#context-summary").TextContent);
        Assert.True(panel.Find("#generate").HasAttribute("disabled"));

        var allUnticked = context.Render<GeneratePanel>(p => p.Add(x => x.Stems, Tracks).Add(x => x.ExcludedFromContext, new HashSet<int> { 1, 2 }));
        Assert.Contains("no track is ticked", allUnticked.Find("#context-summary").TextContent);
        Assert.True(allUnticked.Find("#generate").HasAttribute("disabled"));
    }

    [Fact]
    public void A_context_track_of_the_target_category_is_pointed_out()
    {
        var panel = context.Render<GeneratePanel>(p => p.Add(x => x.Stems, [.. Tracks, Track(3, "old bass", InstrumentCategory.Bass)]));
        Assert.Contains("old bass", panel.Find("#context-twin").TextContent);

        var without = context.Render<GeneratePanel>(p => p.Add(x => x.Stems, Tracks));
        Assert.Empty(without.FindAll("#context-twin"));
    }

    [Fact]
    public async Task Each_upload_shows_its_own_progress_and_refusal_reason()
    {
        var zone = context.Render<UploadDropZone>(p => p.Add(x => x.ProjectId, 7));
        context.JSInterop.VerifyInvoke("stemgen.bindUpload");
        Assert.Contains("5.0 MB and 1.5 minutes", zone.Markup);

        await zone.Instance.OnUploadQueued(1, "bass.wav", 1000);
        await zone.Instance.OnUploadQueued(2, "notes.txt", 10);
        await zone.Instance.OnUploadProgress(1, 42);
        Assert.Contains("42 %", zone.Find(".upload-sending").TextContent);
        Assert.Contains("0 of 2 uploaded, 2 in progress", zone.Find("#upload-status").TextContent);

        await zone.Instance.OnUploadDone(1, true, "bass (Bass)");
        await zone.Instance.OnUploadDone(2, false, "not an audio file we can read");
        Assert.Contains("stored as bass (Bass)", zone.Find(".upload-stored").TextContent);
        var refused = zone.Find(".upload-refused").TextContent;
        Assert.Contains("notes.txt", refused);
        Assert.Contains("refused: not an audio file we can read", refused);
        Assert.Contains("1 of 2 uploaded, 1 refused", zone.Find("#upload-status").TextContent);
    }

    private static GenerationJob Job(int id, TaskState state, string? error = null, params GenerationCandidate[] candidates) => new()
    {
        Id = id, ProjectId = 1, RequestedById = "u", TargetCategory = InstrumentCategory.Bass, State = state, Error = error,
        ProgressPercent = state == TaskState.Running ? 37.5 : 0, ProgressLevel = 1, ProgressStep = 12,
        ParametersJson = """{"ContextStemIds":[1,2],"Preset":"best","Variations":1,"Seed":42}""",
        Candidates = [.. candidates],
    };

    private static GenerationCandidate Candidate(int id) => new() { Id = id, JobId = 1, Index = 0, BlobHash = new string('b', 64), Peaks = [] };

    [Fact]
    public void Jobs_show_progress_failures_and_the_settings_that_reproduce_them()
    {
        var list = context.Render<JobList>(p => p
            .Add(x => x.ProjectId, 1)
            .Add(x => x.CanEdit, true)
            .Add(x => x.Jobs, [Job(2, TaskState.Running), Job(1, TaskState.Failed, "the context is silent")]));

        Assert.Equal(["Running", "Failed"], list.FindAll(".job-state").Select(e => e.TextContent));
        Assert.Equal("37.5 %", list.Find(".job-percent").TextContent);
        Assert.Contains("Failed: the context is silent", list.Find(".job-error").TextContent);
        Assert.All(list.FindAll(".job-settings"), e => Assert.Contains("best, seed 42", e.TextContent));
        Assert.Single(list.FindAll("button"), b => b.TextContent.Contains("Cancel"));
    }

    [Fact]
    public void Viewers_see_jobs_but_cannot_cancel_and_finished_jobs_point_to_the_timeline()
    {
        var jobs = new[] { Job(1, TaskState.Succeeded, null, Candidate(5)), Job(2, TaskState.Running) };
        var viewer = context.Render<JobList>(p => p.Add(x => x.ProjectId, 1).Add(x => x.CanEdit, false).Add(x => x.Jobs, jobs));
        Assert.DoesNotContain(viewer.FindAll("button"), b => b.TextContent.Contains("Cancel"));
        Assert.Contains("1 variation on the timeline", viewer.Find(".job-outcome").TextContent);

        var cancelled = 0;
        var editor = context.Render<JobList>(p => p.Add(x => x.ProjectId, 1).Add(x => x.CanEdit, true).Add(x => x.Jobs, jobs)
            .Add(x => x.Cancel, id => { cancelled = id; }));
        editor.FindAll("button").Single(b => b.TextContent.Contains("Cancel")).Click();
        Assert.Equal(2, cancelled);
    }

    [Fact]
    public void A_long_seed_is_shown_whole_in_the_job_settings()
    {
        var job = Job(1, TaskState.Succeeded);
        job.ParametersJson = """{"ContextStemIds":[1],"Preset":"best","Variations":1,"Seed":18446744073709551615}""";
        var list = context.Render<JobList>(p => p.Add(x => x.ProjectId, 1).Add(x => x.Jobs, [job]));
        Assert.Contains("seed 18446744073709551615", list.Find(".job-settings").TextContent);
    }

    [Fact]
    public void The_selection_fills_the_region_and_generate_here_uses_the_panel_settings()
    {
        var panel = context.Render<GeneratePanel>(p => p.Add(x => x.Stems, Tracks).Add(x => x.Selection, new TimeSelection(2, 4.5)));
        Assert.Contains("from 0:02.0 to 0:04.5", panel.Find("#generate").TextContent);

        var (category, parameters) = panel.Instance.Request(new TimeSelection(1, 3), existing: Tracks[0]);
        Assert.Equal(InstrumentCategory.Drums, category); // the track's own instrument
        Assert.Equal([2], parameters.ContextStemIds); // the track to repair is not context
        Assert.Equal((1.0, 3.0, 1), (parameters.RegionStart!.Value, parameters.RegionEnd!.Value, parameters.ExistingStemId!.Value));

        var (newCategory, fresh) = panel.Instance.Request(new TimeSelection(1, 3), existing: null);
        Assert.Equal(InstrumentCategory.Bass, newCategory);
        Assert.Equal([1, 2], fresh.ContextStemIds);
        Assert.Null(fresh.ExistingStemId);
    }
}
