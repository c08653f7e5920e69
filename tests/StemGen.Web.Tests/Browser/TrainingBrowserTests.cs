using Microsoft.Playwright;

namespace StemGen.Web.Tests.Browser;

/// <summary>
/// A training run in headless Chromium: an admin builds the token cache of a tiny import (train and
/// validation splits) on the datasets page, launches a few dozen steps of the tiny preset, watches the
/// loss curve grow over SignalR and sees the export. Screenshots: 23-training-form, 24-training-live, 25-training-done, 26-models.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TrainingBrowserTests
{
    [BrowserFact]
    public async Task An_admin_launches_a_tiny_run_and_watches_its_curves_grow()
    {
        await using var factory = new KestrelStudioFactory(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "train-admin" });
        TrainingTests.WriteTrainValidation(Path.Combine(factory.DataDirectory, "datasets"), "tiny");
        var baseUrl = factory.Start();
        var shots = Path.Combine(AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/tests/", StringComparison.Ordinal)], "TestResults", "screenshots");
        Directory.CreateDirectory(shots);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await (await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } })).NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync($"{baseUrl}/account/register");
        await page.FillAsync("input[name=userName]", "train-admin");
        await page.FillAsync("input[name=password]", "secret123");
        await page.FillAsync("input[name=confirmPassword]", "secret123");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/projects");

        await page.GotoAsync($"{baseUrl}/admin/datasets");
        await page.WaitForSelectorAsync("#tokens-start:not([disabled])");
        await page.GetByLabel("Splits (comma-separated)").FillAsync("train,validation");
        await page.GetByLabel("Context submixes per segment").FillAsync("1");
        await page.ClickAsync("#tokens-start");
        await page.WaitForSelectorAsync(".task[data-task='1'][data-state='Succeeded']", new() { Timeout = 180000 });

        await page.GotoAsync($"{baseUrl}/admin/training");
        await page.WaitForSelectorAsync("#launch-run:not([disabled])");
        await page.GetByLabel("Steps").FillAsync("0");
        await page.ClickAsync("#launch-run");
        await page.WaitForSelectorAsync("#launch-error:has-text('steps must be 1 to')");
        await page.GetByLabel("Steps").FillAsync("60");
        await page.GetByLabel("Batch").FillAsync("2");
        await page.GetByLabel("Crop (codec frames)").FillAsync("50");
        await page.GetByLabel("Learning rate (empty: preset)").FillAsync("NaN");
        await page.ClickAsync("#launch-run");
        await page.WaitForSelectorAsync("#launch-error:has-text('learning rate must be a number in (0, 1), not NaN')");
        await page.GetByLabel("Learning rate (empty: preset)").FillAsync("0.001");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "23-training-form.png"), FullPage = true });
        await page.ClickAsync("#launch-run");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin/training/\\d+$"), new() { Timeout = 30000 });

        // The curve grows while the run trains (pushed to the page, no reload).
        await page.WaitForSelectorAsync("#chart-loss polyline[data-series='training']", new() { Timeout = 120000 });
        var early = await page.EvalOnSelectorAsync<int>("#chart-loss polyline[data-series='training']", "e => e.getAttribute('points').split(' ').length");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "24-training-live.png"), FullPage = true });
        await page.WaitForSelectorAsync("#run-state:has-text('Succeeded')", new() { Timeout = 240000 });
        var late = await page.EvalOnSelectorAsync<int>("#chart-loss polyline[data-series='training']", "e => e.getAttribute('points').split(' ').length");
        Assert.True(late > early, $"the loss curve had {early} points while training and {late} at the end");
        await page.WaitForSelectorAsync("#run-exported");
        Assert.Contains("validation step", await page.InnerTextAsync("#run-log"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "25-training-done.png"), FullPage = true });

        // The export is among the models, beside the shipped one the studio serves.
        await page.GotoAsync($"{baseUrl}/admin/models");
        await page.WaitForSelectorAsync(".model[data-model='run 1'] .model-parameters");
        await page.WaitForSelectorAsync(".model[data-model='models/stemgen-tiny.safetensors'] .served");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "26-models.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
