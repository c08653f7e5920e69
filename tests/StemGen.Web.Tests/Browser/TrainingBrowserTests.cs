using Microsoft.Playwright;

namespace StemGen.Web.Tests.Browser;

/// <summary>
/// A training run in headless Chromium: an admin builds the token cache of a tiny import (train and
/// validation splits) on the datasets page, launches a few dozen steps of the tiny preset, watches the
/// loss curve grow over SignalR and sees the export. Screenshots: 23-training-form, 24-training-live, 25-training-done, 26-models.
/// </summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
[Collection(BrowserCollection.Name)]
public sealed class TrainingBrowserTests
{
    [BrowserFact]
    public async Task An_admin_launches_a_tiny_run_and_watches_its_curves_grow()
    {
        await using var factory = new KestrelStudioFactory(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "train-admin" });
        TrainingTests.WriteTrainValidation(Path.Combine(factory.DataDirectory, "datasets"), "tiny");
        var baseUrl = factory.Start();
        await using var session = await BrowserSession.RegisterAsync(baseUrl, "train-admin", existing: true);
        var page = session.Page;

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
        await session.ShotAsync("23-training-form");
        await page.ClickAsync("#launch-run");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin/training/\\d+$"), new() { Timeout = 30000 });

        // The curve grows while the run trains (pushed to the page, no reload).
        await page.WaitForSelectorAsync("#chart-loss polyline[data-series='training']", new() { Timeout = 120000 });
        var early = await page.EvalOnSelectorAsync<int>("#chart-loss polyline[data-series='training']", "e => e.getAttribute('points').split(' ').length");
        await session.ShotAsync("24-training-live");
        await page.WaitForSelectorAsync("#run-state:has-text('Succeeded')", new() { Timeout = 240000 });
        var late = await page.EvalOnSelectorAsync<int>("#chart-loss polyline[data-series='training']", "e => e.getAttribute('points').split(' ').length");
        Assert.True(late > early, $"the loss curve had {early} points while training and {late} at the end");
        await page.WaitForSelectorAsync("#run-exported");
        Assert.Contains("validation step", await page.InnerTextAsync("#run-log"));
        await session.ShotAsync("25-training-done");

        // The export is among the models, beside the shipped one the studio serves.
        await page.GotoAsync($"{baseUrl}/admin/models");
        await page.WaitForSelectorAsync(".model[data-model='run 1'] .model-parameters");
        await page.WaitForSelectorAsync(".model[data-model='models/stemgen-tiny.safetensors'] .served");
        await session.ShotAsync("26-models");
        Assert.Empty(session.Errors);
    }
}
