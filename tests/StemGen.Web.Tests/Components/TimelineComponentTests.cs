using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using StemGen.Data;
using StemGen.Web.Components.Studio;
using StemGen.Web.Data;

namespace StemGen.Web.Tests.Components;

/// <summary>The timeline's parts without a browser: the track header, the zoom and selection arithmetic, the mix rule, and the lanes on one axis.</summary>
public sealed class TimelineComponentTests : IAsyncLifetime
{
    private readonly BunitContext context = new();

    public TimelineComponentTests()
    {
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await context.DisposeAsync();

    private static Stem Track(int id, string name, InstrumentCategory category, double seconds) => new()
    {
        Id = id, ProjectId = 1, Name = name, Category = category, BlobHash = new string('a', 64), Format = "WAV",
        DurationSeconds = seconds, SampleRate = 32000, Channels = 1, Peaks = [],
    };

    // ---- the track header ----

    [Fact]
    public void The_header_sends_mute_solo_gain_context_and_category()
    {
        bool? muted = null, solo = null, inContext = null;
        double? gain = null;
        InstrumentCategory? category = null;
        var header = context.Render<TrackHeader>(p => p
            .Add(x => x.Key, "stem-1").Add(x => x.Name, "drums").Add(x => x.Details, "WAV · 32 kHz · mono · 0:08.0")
            .Add(x => x.Category, InstrumentCategory.Drums).Add(x => x.CanEdit, true).Add(x => x.InContext, true)
            .Add(x => x.MutedChanged, v => { muted = v; }).Add(x => x.SoloChanged, v => { solo = v; })
            .Add(x => x.GainChanged, v => { gain = v; }).Add(x => x.ContextChanged, v => { inContext = v; })
            .Add(x => x.CategoryChanged, v => { category = v; }));

        Assert.Equal("drums", header.Find(".track-name").TextContent);
        Assert.Contains("mono", header.Find(".track-details").TextContent);
        header.Find("button[aria-label='Mute drums']").Click();
        header.Find("button[aria-label='Solo drums']").Click();
        header.Find("input[aria-label='Gain of drums in dB']").Input("9.5");
        header.Find("input[aria-label='Use drums as context']").Change(false);
        header.Find("select[aria-label='Category of drums']").Change(nameof(InstrumentCategory.Piano));

        Assert.Equal((true, true, 9.5, false, InstrumentCategory.Piano), (muted, solo, gain, inContext, category));
    }

    [Fact]
    public void The_gain_goes_from_minus_infinity_to_plus_12_dB()
    {
        var header = context.Render<TrackHeader>(p => p.Add(x => x.Key, "k").Add(x => x.Name, "keys").Add(x => x.GainDb, 12));
        var slider = header.Find("input.gain");
        Assert.Equal("-60", slider.GetAttribute("min"));
        Assert.Equal("12", slider.GetAttribute("max"));
        Assert.Equal("+12 dB", header.Find(".gain-value").TextContent);
        Assert.Equal("-∞ dB", TrackHeader.FormatGain(LaneMix.MinGainDb));
        Assert.Equal("-6.5 dB", TrackHeader.FormatGain(-6.5));
        Assert.Equal("0 dB", TrackHeader.FormatGain(0));

        double? sent = null;
        var clamped = context.Render<TrackHeader>(p => p.Add(x => x.Key, "k").Add(x => x.Name, "keys").Add(x => x.GainChanged, v => { sent = v; }));
        clamped.Find("input.gain").Input("40");
        Assert.Equal(12, sent);
    }

    [Fact]
    public void A_viewer_sees_the_category_but_cannot_change_it_and_a_candidate_has_no_context_tick()
    {
        var viewer = context.Render<TrackHeader>(p => p.Add(x => x.Key, "k").Add(x => x.Name, "bass").Add(x => x.Category, InstrumentCategory.Bass)
            .Add(x => x.CategoryChanged, _ => { }));
        Assert.Empty(viewer.FindAll("select"));
        Assert.Equal("Bass", viewer.Find(".category-label").TextContent);
        Assert.Empty(viewer.FindAll(".context-tick"));
        var candidate = context.Render<TrackHeader>(p => p.Add(x => x.Key, "cand-1").Add(x => x.Name, "Bass #3, variation 1").Add(x => x.Candidate, true));
        Assert.Contains("candidate-header", candidate.Find(".track-header").ClassName);
    }

    // ---- zoom, grid and selection ----

    [Fact]
    public void Zoom_stays_within_its_limits_and_fit_shows_the_whole_song()
    {
        var scale = new TimelineScale(40, 20);
        Assert.Equal(60, scale.Zoomed(1).PixelsPerSecond, 6);
        Assert.Equal(TimelineScale.MaxPixelsPerSecond, scale.Zoomed(50).PixelsPerSecond);
        Assert.Equal(TimelineScale.MinPixelsPerSecond, scale.Zoomed(-50).PixelsPerSecond);
        Assert.Equal(50, scale.Fitted(1000).PixelsPerSecond, 6);
        Assert.Equal(800, scale.Width);
        Assert.Equal(5, scale.Seconds(200), 6);
        Assert.Equal(20, scale.Seconds(5000)); // clamped to the song
    }

    [Fact]
    public void The_ruler_counts_seconds_without_a_tempo_and_bars_with_one()
    {
        var seconds = new TimelineScale(40, 10).Ticks();
        Assert.Equal("0:00", seconds[0].Label);
        Assert.Equal(2, seconds[1].Seconds); // 2 s x 40 px = 80 px, the first step of at least 64 px
        Assert.All(seconds.Zip(seconds.Skip(1)), p => Assert.True((p.Second.Seconds - p.First.Seconds) * 40 >= TimelineScale.MinTickSpacingPixels));

        var bars = new TimelineScale(160, 8, TempoBpm: 120, BeatsPerBar: 4).Ticks(); // a beat is 0.5 s = 80 px
        Assert.Equal(["1", "1.2", "1.3", "1.4", "2"], bars.Take(5).Select(t => t.Label));
        Assert.True(bars[0].Major && !bars[1].Major && bars[4].Major);

        var zoomedOut = new TimelineScale(10, 60, TempoBpm: 120, BeatsPerBar: 4).Ticks(); // a bar is 2 s = 20 px: every 4 bars
        Assert.Equal(["1", "5", "9"], zoomedOut.Take(3).Select(t => t.Label));
    }

    [Fact]
    public void A_drag_makes_an_ordered_snapped_selection_inside_the_song()
    {
        var scale = new TimelineScale(40, 10);
        Assert.Equal(new TimeSelection(2, 4.5), TimeSelection.FromDrag(4.53, 1.98, scale)); // right to left, snapped to tenths
        Assert.Equal(new TimeSelection(9, 10), TimeSelection.FromDrag(9, 14, scale)); // clamped to the end
        Assert.Null(TimeSelection.FromDrag(3, 3.04, scale)); // a click, not a selection
        Assert.Null(TimeSelection.FromDrag(double.NaN, 3, scale));

        var withTempo = new TimelineScale(40, 10, TempoBpm: 120);
        Assert.Equal(new TimeSelection(1, 2.5), TimeSelection.FromDrag(1.1, 2.4, withTempo)); // to beats (0.5 s)

        var extended = new TimeSelection(2, 4).Extended(0.5, scale);
        Assert.Equal(new TimeSelection(2, 4.5), extended);
        Assert.Null(new TimeSelection(2, 2.5).Extended(-0.5, scale));
        Assert.Equal("0:02.0 – 0:04.5 (2.5 s)", new TimeSelection(2, 4.5).Describe());
    }

    // ---- the mix rule ----

    private static GenerationJob JobWith(int id, params int[] candidateIds) => new()
    {
        Id = id, ProjectId = 1, RequestedById = "u", TargetCategory = InstrumentCategory.Bass, State = TaskState.Succeeded,
        ParametersJson = """{"ContextStemIds":[1],"Preset":"best","Variations":2}""",
        Candidates = [.. candidateIds.Select((c, i) => new GenerationCandidate { Id = c, JobId = id, Index = i, BlobHash = new string('b', 64), Peaks = [], DurationSeconds = 8 })],
    };

    [Fact]
    public void Mute_solo_and_A_B_decide_which_lanes_sound()
    {
        var stems = new[] { Track(1, "drums", InstrumentCategory.Drums, 8), Track(2, "keys", InstrumentCategory.Piano, 16) };
        var job = JobWith(7, 20, 21);
        var lanes = TimelineLane.Arrange(1, stems, [job]);
        Assert.Equal(["stem-1", "stem-2", "cand-20", "cand-21"], lanes.Select(l => l.Key));
        var mix = new LaneMix();
        Dictionary<string, double> Levels() => mix.Levels(lanes).ToDictionary(l => l.Key, l => l.Gain);

        Assert.Equal([1, 1, 1, 0], Levels().Values); // the first variation is heard
        mix.SwitchVariation(job);
        Assert.Equal([1, 1, 0, 1], Levels().Values);
        mix.SwitchVariation(job);
        Assert.Equal(1, Levels()["cand-20"]); // after the last, the first again

        mix.SetGainDb("stem-2", 6);
        Assert.Equal(Math.Pow(10, 6 / 20.0), Levels()["stem-2"], 9);
        mix.SetGainDb("stem-2", LaneMix.MinGainDb);
        Assert.Equal(0, Levels()["stem-2"]);
        mix.SetGainDb("stem-2", 99);
        Assert.Equal(LaneMix.MaxGainDb, mix.GainDb("stem-2"));

        mix.SetMuted("stem-1", true);
        Assert.Equal(0, Levels()["stem-1"]);
        mix.SetSolo("cand-20", true); // solo a candidate: only it sounds
        Assert.Equal([0, 0, 1, 0], Levels().Values);

        var export = mix.ExportTracks(lanes).ToList(); // stems only, -inf as a mute
        Assert.Equal([new LaneMix.MixTrack(1, 0, true, false), new LaneMix.MixTrack(2, LaneMix.MaxGainDb, false, false)], export);
        mix.SetGainDb("stem-2", LaneMix.MinGainDb);
        Assert.Equal(new LaneMix.MixTrack(2, LaneMix.MinGainDb, true, false), mix.ExportTracks(lanes).Last());
    }

    [Fact]
    public void A_part_regenerated_appears_under_its_track_and_a_new_stem_at_the_end()
    {
        var stems = new[] { Track(1, "drums", InstrumentCategory.Drums, 8), Track(2, "bass", InstrumentCategory.Bass, 8) };
        var repair = JobWith(3, 30);
        repair.ParametersJson = """{"ContextStemIds":[1],"Preset":"best","RegionStart":1,"RegionEnd":2,"ExistingStemId":1}""";
        var fresh = JobWith(4, 40);
        var lanes = TimelineLane.Arrange(1, stems, [fresh, repair]);
        Assert.Equal(["stem-1", "cand-30", "stem-2", "cand-40"], lanes.Select(l => l.Key));
    }

    // ---- the timeline: lanes on one axis ----

    [Fact]
    public void Lanes_are_as_wide_as_their_durations_on_one_axis_and_the_timeline_box_is_marked()
    {
        var stems = new[] { Track(1, "drums", InstrumentCategory.Drums, 8), Track(2, "bass", InstrumentCategory.Bass, 12), Track(3, "keys", InstrumentCategory.Piano, 16) };
        var timeline = context.Render<Timeline>(p => p.Add(x => x.ProjectId, 1).Add(x => x.Lanes, TimelineLane.Arrange(1, stems, [])).Add(x => x.CanEdit, true));

        var widths = timeline.FindAll(".lane .clip").Select(c => double.Parse(c.GetAttribute("style")!.Split(':')[1].Replace("px", "").Trim(), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([8 * 40.0, 12 * 40.0, 16 * 40.0], widths);
        Assert.Single(timeline.FindAll("[data-timeline]"));
        Assert.Equal(3, timeline.FindAll(".track-header").Count);
        Assert.Contains("0:16.0", timeline.Find("#clock").TextContent);
        context.JSInterop.VerifyInvoke("stemgenTimeline.bind");
        context.JSInterop.VerifyInvoke("stemgenTimeline.setLanes");

        timeline.Find("#zoom-in").Click();
        Assert.Contains("width: 960px", timeline.Find(".timeline-content").GetAttribute("style"));
    }

    [Fact]
    public async Task A_drag_from_the_browser_becomes_the_selection_and_enables_generate_here()
    {
        TimeSelection? selected = null;
        var stems = new[] { Track(1, "drums", InstrumentCategory.Drums, 8) };
        var timeline = context.Render<Timeline>(p => p.Add(x => x.ProjectId, 1).Add(x => x.Lanes, TimelineLane.Arrange(1, stems, [])).Add(x => x.CanEdit, true)
            .Add(x => x.SelectionChanged, s => { selected = s; }).Add(x => x.GenerateHere, _ => { }));
        Assert.Empty(timeline.FindAll("#generate-here"));

        await timeline.InvokeAsync(() => timeline.Instance.OnSelected(3.04, 1.01));
        Assert.Equal(new TimeSelection(1, 3), selected);
        Assert.Contains("0:01.0 – 0:03.0", timeline.Find("#selection").TextContent);
        Assert.Single(timeline.FindAll("#generate-here"));

        await timeline.InvokeAsync(() => timeline.Instance.OnExtend(0.5));
        Assert.Equal(new TimeSelection(1, 3.5), selected);
        await timeline.InvokeAsync(() => timeline.Instance.OnClearSelection());
        Assert.Null(selected);
    }

    // ---- tempo ----

    [Fact]
    public void Taps_give_the_tempo_of_their_median_gap()
    {
        Assert.Null(TempoControls.FromTaps([0, 500])); // two taps are one gap: not yet
        Assert.Equal(120, TempoControls.FromTaps([0, 500, 1000, 1500]));
        Assert.Equal(120, TempoControls.FromTaps([0, 500, 1000, 1700, 2200])); // one late tap does not move it
        Assert.Null(TempoControls.FromTaps([0, 10, 20])); // 6000 BPM is no tempo
    }

    [Fact]
    public void A_typed_tempo_is_saved_with_enter_and_the_click_track_needs_a_tempo()
    {
        (double? Bpm, int Beats)? saved = null;
        var controls = context.Render<TempoControls>(p => p.Add(x => x.CanEdit, true).Add(x => x.SetTempo, t => { saved = t; }));
        Assert.True(controls.Find("#add-click").HasAttribute("disabled"));
        controls.Find("#tempo-bpm").Input("96.5");
        controls.Find("#tempo-bpm").KeyDown("Enter");
        Assert.Equal((96.5, 4), saved);

        var viewer = context.Render<TempoControls>(p => p.Add(x => x.TempoBpm, 120).Add(x => x.CanEdit, false));
        Assert.True(viewer.Find("#tempo-bpm").HasAttribute("disabled"));
        Assert.Empty(viewer.FindAll("#add-click"));
    }
}
