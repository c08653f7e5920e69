using System.Text.Json;
using Microsoft.Playwright;

namespace StemGen.Web.Tests.Browser;

/// <summary>Runs only where Debian's chromium is installed (apt-get install chromium); skipped otherwise.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"no browser: {Chromium} is not installed (apt-get install chromium)";
    }
}

/// <summary>
/// The studio in headless Chromium against the real server and the shipped model: register, create a
/// project, upload two stems, generate, watch progress reach 100 %, play, accept. Screenshots of the main pages go to
/// TestResults/screenshots at the repository root.
/// </summary>
public sealed class StudioBrowserTests
{
    private static string ScreenshotFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StemGen.Web.sln"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }

    [BrowserFact]
    public async Task Register_create_upload_generate_play_and_accept()
    {
        // The real generator: the shipped codec and tiny model, the paper's "best" sampler (256 steps).
        await using var factory = new KestrelStudioFactory(shippedModel: true);
        var baseUrl = factory.Start();
        var shots = ScreenshotFolder();
        var folder = Directory.CreateTempSubdirectory("stemgen-browser-").FullName;
        var files = new[] { ("bass line.wav", 110.0), ("drum loop.wav", 440.0) }.Select(f =>
        {
            var path = Path.Combine(folder, f.Item1);
            File.WriteAllBytes(path, TestAudio.Wav(2.0, f.Item2));
            return path;
        }).ToArray();
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = BrowserFactAttribute.Chromium, Headless = true,
                Args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
            });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
            var errors = new List<string>();
            page.PageError += (_, e) => errors.Add(e);
            var console = new List<string>();
            page.Console += (_, m) => console.Add($"{m.Type}: {m.Text}");

            await page.GotoAsync($"{baseUrl}/account/register");
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "01-register.png") });
            await page.FillAsync("input[name=userName]", "browser-user");
            await page.FillAsync("input[name=password]", "secret123");
            await page.FillAsync("input[name=confirmPassword]", "secret123");
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync("**/projects");

            // The inputs stay disabled until the circuit is live; Fill and Click wait for that.
            await page.FillAsync("input[aria-label='New project name']", "Browser song");
            await page.ClickAsync("button:has-text('Create project')");
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/projects/\\d+$"));
            await page.WaitForSelectorAsync("#upload-button:not([disabled])");

            await page.SetInputFilesAsync("#upload-files", files);
            await page.ClickAsync("#upload-button");
            await page.WaitForSelectorAsync("#upload-status:has-text('uploaded 2 stem(s)')");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#stems tbody tr').length === 2");
            Assert.Contains("bass line", await page.InnerTextAsync("#stems"));
            Assert.Contains("Bass", await page.InnerTextAsync("#stems"));
            Assert.Contains("Drums", await page.InnerTextAsync("#stems"));
            await page.WaitForFunctionAsync("() => stemgen.status().players >= 2");
            var wavesurfer = await page.EvaluateAsync<bool>("() => !!window.WaveSurfer");
            if (wavesurfer) await page.WaitForFunctionAsync("() => stemgen.status().waveforms >= 2");

            await page.ClickAsync("#play-mix");
            try { await page.WaitForFunctionAsync("() => stemgen.status().playing === 2", null, new() { Timeout = 10000 }); }
            catch (TimeoutException)
            {
                var status = await page.EvaluateAsync<JsonElement>("() => stemgen.status()");
                Assert.Fail($"not playing: {status}; console: {string.Join(" | ", console)}");
            }
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "02-project-stems.png"), FullPage = true });
            await page.ClickAsync("button:has-text('Stop')");

            foreach (var box in await page.QuerySelectorAllAsync("input[aria-label^='Use ']")) await box.CheckAsync();
            await page.ClickAsync("#generate");

            // Progress appears live (pushed over the circuit) and reaches the end.
            var seen = new SortedSet<double>();
            var deadline = DateTime.UtcNow.AddSeconds(240);
            string state = "";
            while (DateTime.UtcNow < deadline)
            {
                state = await page.EvaluateAsync<string>("() => document.querySelector('.job .job-state')?.textContent ?? ''");
                var percent = await page.EvaluateAsync<string>("() => document.querySelector('.job .job-percent')?.textContent ?? ''");
                if (double.TryParse(percent.Replace("%", "").Trim(), System.Globalization.CultureInfo.InvariantCulture, out var p)) seen.Add(p);
                if (state == "Running" && seen.Count == 3) await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "03-generating.png"), FullPage = true });
                if (state is "Succeeded" or "Failed") break;
                await page.WaitForTimeoutAsync(50);
            }
            Assert.True(state == "Succeeded", $"job {state}: {await page.InnerTextAsync(".job")}");
            Assert.StartsWith("CPU (", await page.InnerTextAsync("#device"));
            Assert.True(seen.Count(p => p is > 0 and < 100) >= 2, $"progress seen: {string.Join(", ", seen)}");
            await page.WaitForSelectorAsync(".candidate");

            await page.ClickAsync("button:has-text('Audition with context')");
            await page.WaitForFunctionAsync("() => stemgen.status().playing === 3");
            await page.ClickAsync("button:has-text('Stop')");

            await page.ClickAsync(".candidate button:has-text('Accept')");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#stems tbody tr').length === 3");
            Assert.Contains("generated", await page.InnerTextAsync("#stems"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "04-accepted.png"), FullPage = true });

            await page.GotoAsync($"{baseUrl}/projects");
            await page.WaitForSelectorAsync("text=Browser song");
            await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "05-projects.png") });
            Assert.Empty(errors);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            factory.DeleteData();
        }
    }
}
