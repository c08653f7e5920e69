using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using StemGen.Audio;
using Xunit.Abstractions;

namespace StemGen.Web.Tests.Browser;

/// <summary>
/// The project page as a workstation, in headless Chromium against the real server and the tone generator: three
/// stems of different lengths on one axis, one Web Audio clock (every lane agrees after a seek; drift between two lanes
/// measured from the audio itself over 60 s and 10 seeks), a loop, a selection generated into, candidates in place with
/// A/B and keep, the mix exported before and after a mute, screenshots at three sizes in both themes, no console error.
/// </summary>
[Trait("Category", "Slow")] // a browser: left out by scripts/test.sh --fast
[Collection(BrowserCollection.Name)]
public sealed class TimelineBrowserTests(ITestOutputHelper output)
{
    /// <summary>One Web Audio render quantum: the tolerance for lanes to agree.</summary>
    private const int Block = 128;
    /// <summary>The test stems are sawtooth ramps of this period: a lane's sample value tells where in the song it is.</summary>
    private const int RampPeriod = 24000;
    private const float RampAmplitude = 0.9f;

    /// <summary>A ramp stem: sample i is a function of i only, so two aligned lanes carry the same value at the same time.</summary>
    private static byte[] RampFlac(double seconds, int sampleRate)
    {
        var frames = (int)(seconds * sampleRate);
        var samples = new float[frames];
        for (var i = 0; i < frames; i++) samples[i] = RampAmplitude * (2f * (i % RampPeriod) / RampPeriod - 1f);
        var path = Path.Combine(Path.GetTempPath(), $"stemgen-ramp-{Guid.NewGuid():N}.flac");
        try
        {
            // FLAC: a ramp predicts well, so the files stay under the test studio's 1 MB upload limit.
            AudioFile.Write(path, AudioBuffer.FromChannels(sampleRate, samples), StemGen.Audio.AudioWriteFormat.Flac16);
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    /// <summary>Where in the ramp (in frames, modulo the period) a sample value puts a lane.</summary>
    private static double RampPhase(double value) => (value / RampAmplitude + 1) / 2 * RampPeriod;

    /// <summary>The drift in frames between two lanes, from their last samples read in one render quantum (null when unreadable).</summary>
    private static async Task<double?> DriftFramesAsync(IPage page, string a, string b)
    {
        var taps = await page.EvaluateAsync<JsonElement>("() => stemgenTimeline.taps(8)");
        if (taps.ValueKind != JsonValueKind.Object) return null;
        var lanes = taps.GetProperty("lanes");
        var va = lanes.GetProperty(a).EnumerateArray().Last().GetDouble();
        var vb = lanes.GetProperty(b).EnumerateArray().Last().GetDouble();
        if (va == 0 || vb == 0) return null; // a lane between sources (a seek in flight)
        var d = RampPhase(va) - RampPhase(vb);
        d -= RampPeriod * Math.Round(d / RampPeriod); // the ramp wraps: the nearest difference
        return Math.Abs(d);
    }

    private static async Task<double[]> PositionsAsync(IPage page) =>
        (await page.EvaluateAsync<JsonElement>("() => stemgenTimeline.positions()")).EnumerateArray().Select(p => p.GetProperty("frames").GetDouble()).ToArray();

    [BrowserFact]
    public async Task Three_stems_one_clock_loop_select_generate_ab_keep_export()
    {
        // Stems of 8, 12 and 16 s: longer than the test studio's usual 5 s limit.
        await using var factory = new KestrelStudioFactory(settings: new Dictionary<string, string> { ["Uploads:MaxDurationSeconds"] = "30" });
        var baseUrl = factory.Start();
        var folder = Directory.CreateTempSubdirectory("stemgen-timeline-").FullName;
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = BrowserFactAttribute.Chromium, Headless = true,
                // Audio plays without a click and without a sound card (Chromium's fake audio output keeps real time).
                Args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--use-fake-ui-for-media-stream"],
            });
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 }, AcceptDownloads = true });
            var page = await context.NewPageAsync();
            var errors = new List<string>();
            page.PageError += (_, e) => errors.Add($"page error: {e}");
            page.Console += (_, m) => { if (m.Type == "error") errors.Add($"console: {m.Text} ({m.Location})"); else if (m.Type == "warning") output.WriteLine($"console warning: {m.Text}"); };
            page.RequestFailed += (_, r) => errors.Add($"request failed: {r.Url}");
            page.Response += (_, r) => { if (r.Status >= 400) errors.Add($"HTTP {r.Status}: {r.Url}"); };

            await BrowserSession.SignUpAsync(page, baseUrl, "timeline-user");
            await page.GetByLabel("New project name").FillAsync("Timeline song");
            await page.ClickAsync("button:has-text('Create project')");
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/projects/\\d+$"));
            var projectUrl = page.Url;

            // Stems at the page's audio rate (no resampling between the file and the lanes), of three lengths.
            var rate = await page.EvaluateAsync<int>("async () => { const c = new AudioContext(); const r = c.sampleRate; await c.close(); return r; }");
            var lengths = new[] { ("drums.flac", 8.0), ("bass.flac", 12.0), ("keys.flac", 16.0) };
            var files = lengths.Select(f =>
            {
                var path = Path.Combine(folder, f.Item1);
                File.WriteAllBytes(path, RampFlac(f.Item2, rate));
                return path;
            }).ToArray();
            await page.WaitForSelectorAsync("#upload-zone[data-ready=true]");
            await page.SetInputFilesAsync("#upload-files", files);
            await WaitAsync(page, "() => document.querySelectorAll('.lane.track').length === 3", errors);
            await WaitAsync(page, "() => stemgenTimeline.status().decoded === 3 && stemgenTimeline.status().waveforms >= 3", errors);

            // One axis: each lane's clip is as wide as its duration at the same pixels per second.
            var widths = await page.EvaluateAsync<JsonElement>(
                "() => Array.from(document.querySelectorAll('.lane.track')).map(l => ({ d: +l.dataset.duration, w: l.querySelector('.clip').getBoundingClientRect().width }))");
            var perSecond = widths.EnumerateArray().Select(x => x.GetProperty("w").GetDouble() / x.GetProperty("d").GetDouble()).ToList();
            output.WriteLine($"lane px per second: {string.Join(", ", perSecond.Select(p => p.ToString("0.00", CultureInfo.InvariantCulture)))}");
            Assert.All(perSecond, p => Assert.InRange(p, perSecond[0] - 0.2, perSecond[0] + 0.2));
            var clipWidths = widths.EnumerateArray().Select(x => x.GetProperty("w").GetDouble()).ToList();
            Assert.InRange(clipWidths.Max() / clipWidths.Min(), 1.95, 2.05); // 16 s against 8 s
            // The uploads run side by side, so the ids follow arrival: find the 8 s and the 16 s lanes by duration.
            var byDuration = await page.EvaluateAsync<JsonElement>("() => Object.fromEntries(Array.from(document.querySelectorAll('.lane.track')).map(l => [l.dataset.duration, l.dataset.lane]))");
            var shortest = byDuration.GetProperty("8").GetString()!;
            var middle = byDuration.GetProperty("12").GetString()!;
            var longest = byDuration.GetProperty("16").GetString()!;

            // Play; start latency from the call to the first sample out of the graph.
            var latency = await page.EvaluateAsync<double>(@"async () => {
                const t0 = performance.now();
                await stemgenTimeline.play(0);
                return await new Promise(resolve => {
                    const poll = () => {
                        const taps = stemgenTimeline.taps(8);
                        if (taps && Object.values(taps.lanes).some(v => v[v.length - 1] !== 0)) resolve(performance.now() - t0);
                        else requestAnimationFrame(poll);
                    };
                    poll();
                });
            }");
            var status = await page.EvaluateAsync<JsonElement>("() => stemgenTimeline.status()");
            output.WriteLine($"start latency: {latency:0.0} ms to the first sample (scheduled lead 50 ms); context {status.GetProperty("sampleRate")} Hz, " +
                $"base latency {status.GetProperty("baseLatency").GetDouble() * 1000:0.0} ms, output latency {status.GetProperty("outputLatency").GetDouble() * 1000:0.0} ms");
            Assert.True(status.GetProperty("playing").GetBoolean());

            // Seek by clicking lane 2: every lane moves there, and they agree to within a block.
            await page.WaitForTimeoutAsync(500);
            var lane2 = await page.Locator(".lane.track").Nth(1).BoundingBoxAsync();
            var scroller = await page.Locator("[data-timeline]").BoundingBoxAsync();
            var pps = (float)status.GetProperty("pps").GetDouble();
            var clickX = 5f * pps + 1; // 5 s into the song (the timeline is not scrolled yet)
            await page.Mouse.ClickAsync(lane2!.X + clickX, lane2.Y + lane2.Height / 2);
            await page.WaitForTimeoutAsync(300);
            var positions = await PositionsAsync(page);
            output.WriteLine($"after the click at 5 s: lane positions {string.Join(", ", positions.Select(p => (p / rate).ToString("0.000", CultureInfo.InvariantCulture)))} s");
            Assert.InRange(positions[0] / rate, 5.0, 5.6);
            Assert.True(positions.Max() - positions.Min() <= Block, $"lanes disagree by {positions.Max() - positions.Min()} frames");
            var drift = await DriftFramesAsync(page, shortest, middle);
            Assert.NotNull(drift);
            Assert.True(drift <= Block, $"drift {drift} frames after the seek");

            // 60 s with 10 seeks, then the drift between two lanes measured from their samples.
            var driftSamples = new List<double>();
            var seeks = 0;
            var started = DateTime.UtcNow;
            var random = new Random(29);
            while (DateTime.UtcNow - started < TimeSpan.FromSeconds(60))
            {
                if (seeks < 10 && DateTime.UtcNow - started > TimeSpan.FromSeconds(5.5 * seeks + 1))
                {
                    await page.EvaluateAsync("t => stemgenTimeline.seek(t)", random.NextDouble() * 5);
                    seeks++;
                }
                // Keep the lanes inside the shorter stems: back to the start before drums (8 s) ends.
                if (await page.EvaluateAsync<double>("() => stemgenTimeline.position()") > 7) await page.EvaluateAsync("() => stemgenTimeline.seek(0.5)");
                await page.WaitForTimeoutAsync(400);
                if (await DriftFramesAsync(page, shortest, longest) is { } d) driftSamples.Add(d);
            }
            var finalDrift = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                if (await DriftFramesAsync(page, shortest, longest) is { } d) finalDrift.Add(d);
                await page.WaitForTimeoutAsync(100);
            }
            output.WriteLine($"drift drums/keys after 60 s and {seeks} seeks: {string.Join(", ", finalDrift.Select(d => d.ToString("0.0", CultureInfo.InvariantCulture)))} frames " +
                $"(max over the minute {driftSamples.DefaultIfEmpty().Max():0.0} frames in {driftSamples.Count} reads; one block = {Block})");
            Assert.Equal(10, seeks);
            Assert.NotEmpty(finalDrift);
            Assert.True(finalDrift.Max() < Block, $"drift {finalDrift.Max()} frames");
            Assert.True(driftSamples.Count > 50 && driftSamples.Max() < Block, $"drift over the minute up to {driftSamples.DefaultIfEmpty().Max()} frames");
            await page.ClickAsync("#stop");

            // Loop: drag on the ruler from 1 s to 2 s, loop it, play: the position stays in [1, 2] and wraps.
            var ruler = await page.Locator(".ruler").BoundingBoxAsync();
            await page.Mouse.MoveAsync(ruler!.X + 1.0f * pps, ruler.Y + 10);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(ruler.X + 1.5f * pps, ruler.Y + 10, new() { Steps = 4 });
            await page.Mouse.MoveAsync(ruler.X + 2.0f * pps, ruler.Y + 10, new() { Steps = 4 });
            await page.Mouse.UpAsync();
            await page.WaitForSelectorAsync("#selection:has-text('0:01.0 – 0:02.0')");
            await page.ClickAsync("#loop");
            await page.WaitForFunctionAsync("() => stemgenTimeline.status().loop !== null");
            await page.EvaluateAsync("() => stemgenTimeline.play(1.5)");
            var loopPositions = new List<double>();
            for (var i = 0; i < 30; i++)
            {
                await page.WaitForTimeoutAsync(100);
                loopPositions.Add(await page.EvaluateAsync<double>("() => stemgenTimeline.position()"));
            }
            output.WriteLine($"loop 1-2 s: positions {string.Join(" ", loopPositions.Select(p => p.ToString("0.00", CultureInfo.InvariantCulture)))}");
            Assert.All(loopPositions, p => Assert.InRange(p, 1.0, 2.0));
            Assert.True(loopPositions.Zip(loopPositions.Skip(1)).Count(p => p.Second < p.First) >= 2, "the loop did not wrap twice in 3 s");
            var loopDrift = await DriftFramesAsync(page, shortest, middle);
            Assert.True(loopDrift is null or <= Block, $"drift {loopDrift} frames in the loop");
            await page.ClickAsync("#loop");
            await page.ClickAsync("#stop");

            // Select a region on a lane (drums, 2 s to 4 s), two variations, generate there.
            await page.FillAsync("#variations", "2");
            await page.Keyboard.PressAsync("Tab");
            await page.Locator(".ruler").ScrollIntoViewIfNeededAsync(); // the panel below scrolled the page
            var lane1 = await page.Locator(".lane.track").Nth(0).BoundingBoxAsync();
            await page.Mouse.MoveAsync(lane1!.X + 2.0f * pps, lane1.Y + 20);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(lane1.X + 3.0f * pps, lane1.Y + 20, new() { Steps = 4 });
            await page.Mouse.MoveAsync(lane1.X + 4.0f * pps, lane1.Y + 20, new() { Steps = 4 });
            await page.Mouse.UpAsync();
            await page.WaitForSelectorAsync("#selection:has-text('0:02.0 – 0:04.0')");
            Assert.Contains("from 0:02.0 to 0:04.0", await page.TextContentAsync("#generate"));
            await page.ClickAsync("#generate-here");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('.lane.candidate').length === 2", null, new() { Timeout = 60000 });
            Assert.Contains("region 2-4 s", await page.InnerTextAsync(".job .job-settings"));
            await page.WaitForFunctionAsync("() => stemgenTimeline.status().decoded === 5");
            await ShotAsync(page, "timeline-candidates-1440x900-light");

            // A/B: one variation sounds at a time; switching changes only the gains, on the same clock.
            var keys = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('.lane.candidate')).map(l => l.dataset.lane)");
            async Task<(double A, double B)> LevelsAsync()
            {
                var levels = (await page.EvaluateAsync<JsonElement>("() => stemgenTimeline.status()")).GetProperty("levels");
                return (levels.GetProperty(keys[0]).GetDouble(), levels.GetProperty(keys[1]).GetDouble());
            }
            Assert.Equal((1.0, 0.0), await LevelsAsync());
            await page.EvaluateAsync("() => stemgenTimeline.play(0)");
            await page.ClickAsync($"[data-header='{keys[1]}'] .ab");
            await page.WaitForFunctionAsync($"() => stemgenTimeline.status().levels['{keys[1]}'] === 1");
            Assert.Equal((0.0, 1.0), await LevelsAsync());
            var withCandidates = await PositionsAsync(page);
            Assert.True(withCandidates.Max() - withCandidates.Min() <= Block, "candidate lanes play on the same clock");
            await page.Keyboard.PressAsync("b"); // the key switches back
            await page.WaitForFunctionAsync($"() => stemgenTimeline.status().levels['{keys[0]}'] === 1");
            await page.ClickAsync("#stop");

            // Keep the first variation: it becomes a track; discard the other.
            await page.ClickAsync($"[data-header='{keys[0]}'] .keep");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('.lane.track').length === 4 && document.querySelectorAll('.lane.candidate').length === 1");
            await page.ClickAsync($"[data-header='{keys[1]}'] .discard");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('.lane.candidate').length === 0");

            // Export the mix as WAV: as long as the longest track; muting a track changes it.
            var first = await ExportAsync(page, "wav");
            var mix = AudioFile.Read(first);
            output.WriteLine($"mix: {mix.Frames} frames at {mix.SampleRate} Hz = {(double)mix.Frames / mix.SampleRate:0.000} s");
            Assert.InRange((double)mix.Frames / mix.SampleRate, 15.9, 16.1);
            await page.ClickAsync("button[aria-label='Mute keys']");
            var muted = await ExportAsync(page, "wav");
            Assert.NotEqual(await File.ReadAllBytesAsync(first), await File.ReadAllBytesAsync(muted));
            var flac = await ExportAsync(page, "flac");
            var flacMix = AudioFile.Read(flac);
            Assert.InRange((double)flacMix.Frames / flacMix.SampleRate, 15.9, 16.1);
            await page.ClickAsync("button[aria-label='Mute keys']");

            // Tempo typed: the ruler counts bars; a click track joins as a lane.
            await page.FillAsync("#tempo-bpm", "120");
            await page.PressAsync("#tempo-bpm", "Enter");
            await page.WaitForSelectorAsync(".ruler .tick.major span:text-is('2')");
            await page.ClickAsync("#add-click");
            await WaitAsync(page, "() => document.querySelectorAll('.lane.track').length === 5 && stemgenTimeline.status().decoded === 5", errors);
            Assert.False(await page.IsCheckedAsync("input[aria-label^='Use Click']"), "a click track is context only when ticked");

            // Keyboard: zoom in and out, Home.
            var before = (await page.EvaluateAsync<JsonElement>("() => stemgenTimeline.status()")).GetProperty("pps").GetDouble();
            await page.Locator("[data-timeline]").FocusAsync();
            await page.Keyboard.PressAsync("+");
            await page.WaitForFunctionAsync($"() => stemgenTimeline.status().pps > {before.ToString(CultureInfo.InvariantCulture)}");
            await page.Keyboard.PressAsync("-");
            await page.WaitForFunctionAsync($"() => Math.abs(stemgenTimeline.status().pps - {before.ToString(CultureInfo.InvariantCulture)}) < 1e-6");

            // Screenshots at three sizes in both themes; no box but the timeline scrolls or clips sideways at 1280 px.
            // The pointer off the page and nothing focused: a hovered button's ripple is not part of the layout.
            await page.Mouse.MoveAsync(0, 0);
            await page.EvaluateAsync("() => document.activeElement?.blur()");
            var overflowing = new List<string>();
            foreach (var dark in new[] { false, true })
            {
                if (dark)
                {
                    await page.ClickAsync("#theme-toggle");
                    await page.WaitForFunctionAsync(BrowserSession.DarkScript);
                    // The toggle's click ripple grows past the button for a moment: let it end before measuring.
                    await page.Mouse.MoveAsync(0, 0);
                    await page.EvaluateAsync("() => document.activeElement?.blur()");
                    await page.WaitForTimeoutAsync(1200);
                }
                foreach (var (w, h) in new[] { (1280, 800), (1440, 900), (1920, 1080) })
                {
                    await page.SetViewportSizeAsync(w, h);
                    await page.WaitForTimeoutAsync(300);
                    await ShotAsync(page, $"timeline-{w}x{h}-{(dark ? "dark" : "light")}");
                    if (w == 1280)
                    {
                        overflowing.AddRange(await page.EvaluateAsync<string[]>(OverflowScript));
                        if (!await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
                            overflowing.Add("the page scrolls sideways");
                    }
                }
            }
            await page.SetViewportSizeAsync(1024, 768);
            await ShotAsync(page, "timeline-1024x768-dark");
            await page.ClickAsync("#theme-toggle");
            await page.WaitForFunctionAsync($"() => !({BrowserSession.DarkScript})()");
            Assert.True(overflowing.Count == 0, "at 1280 px, boxes whose content is wider than they are: " + string.Join("; ", overflowing));

            Assert.True(errors.Count == 0, "browser errors: " + string.Join(" | ", errors));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            factory.DeleteData();
        }
    }

    /// <summary>Elements outside [data-timeline] that scroll or clip sideways: their content is wider than they are.</summary>
    private const string OverflowScript = @"() => {
        const timeline = document.querySelector('[data-timeline]');
        const found = [];
        for (const e of document.querySelectorAll('body *')) {
            if (timeline.contains(e) || e.closest('.mud-popover-provider, .visually-hidden, .track-name, .track-details, .selection-text')) continue;
            const style = getComputedStyle(e);
            if (style.display === 'none' || e.clientWidth <= 1 || !e.checkVisibility({ visibilityProperty: true }) || e.getBoundingClientRect().height === 0) continue;
            if (!/(auto|scroll|hidden|clip)/.test(style.overflowX)) continue;
            if (e.scrollWidth > e.clientWidth + 1) found.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}: ${e.scrollWidth} in ${e.clientWidth}`);
        }
        return found;
    }";

    /// <summary>Waits for <paramref name="script"/>; on a timeout, fails with the player's status and the errors so far.</summary>
    private static async Task WaitAsync(IPage page, string script, List<string> errors, float timeout = 30000)
    {
        try { await page.WaitForFunctionAsync(script, null, new() { Timeout = timeout }); }
        catch (TimeoutException)
        {
            var status = await page.EvaluateAsync<JsonElement>("() => window.stemgenTimeline ? stemgenTimeline.status() : 'no timeline'");
            var uploads = await page.EvaluateAsync<string>("() => document.querySelector('#uploads')?.innerText + ' / ' + document.querySelector('#upload-status')?.innerText");
            await ShotAsync(page, "timeline-failed");
            Assert.Fail($"waited for {script}; status {status}; uploads {uploads}; errors: {string.Join(" | ", errors)}");
        }
    }

    private static async Task<string> ExportAsync(IPage page, string format)
    {
        await page.ClickAsync("#export-menu button");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"#export-{format}"));
        var path = Path.Combine(Path.GetTempPath(), $"stemgen-mix-{Guid.NewGuid():N}.{format}");
        await download.SaveAsAsync(path);
        Assert.EndsWith($".{format}", download.SuggestedFilename);
        return path;
    }

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(BrowserSession.ScreenshotFolder, name + ".png"), FullPage = true });
}
