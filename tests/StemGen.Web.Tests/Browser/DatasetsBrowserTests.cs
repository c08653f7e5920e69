using Microsoft.Playwright;

namespace StemGen.Web.Tests.Browser;

/// <summary>
/// The datasets page in headless Chromium: an admin renders a tiny synthetic dataset, imports it and
/// builds its token cache, each a job whose row updates live; the import's figures and category chart
/// appear. Screenshots (TestResults/screenshots): 20-datasets-render, 21-datasets-imported, 22-datasets-tokens.
/// </summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
[Collection(BrowserCollection.Name)]
public sealed class DatasetsBrowserTests
{
    [BrowserFact]
    public async Task An_admin_renders_imports_and_tokenizes_a_tiny_dataset_and_sees_its_figures()
    {
        await using var factory = new KestrelStudioFactory(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "data-admin" });
        var baseUrl = factory.Start();
        await using var session = await BrowserSession.RegisterAsync(baseUrl, "data-admin", existing: true);
        var page = session.Page;

        await page.GotoAsync($"{baseUrl}/admin/datasets");
        await page.WaitForSelectorAsync("#no-datasets");
        await page.WaitForSelectorAsync("#synth-start:not([disabled])"); // interactive: the form binds now
        // Bad input first: nothing starts, the reason shows.
        await page.GetByLabel("New folder", new() { Exact = true }).FillAsync("../escape");
        await page.GetByLabel("Hours").FillAsync("0.01");
        await page.ClickAsync("#synth-start");
        try { await page.WaitForSelectorAsync("#synth-error:has-text(\"'..' is not allowed\")", new() { Timeout = 10000 }); }
        catch (TimeoutException) { await session.ShotAsync("20-datasets-failed"); throw; }

        await page.GetByLabel("New folder", new() { Exact = true }).FillAsync("synth");
        await page.GetByLabel("Seed").FillAsync("5");
        await page.ClickAsync("#synth-start");
        await page.WaitForSelectorAsync(".task[data-task='1']");
        await session.ShotAsync("20-datasets-render");
        await page.WaitForSelectorAsync(".task[data-task='1'][data-state='Succeeded']", new() { Timeout = 180000 });

        await page.ClickAsync(".slakh-choice:has-text('synth')");
        await page.GetByLabel("New folder for the import").FillAsync("synth-import");
        await page.GetByLabel("Segment length (s)").FillAsync("20");
        await page.ClickAsync("#import-start");
        await page.WaitForSelectorAsync(".task[data-task='2'][data-state='Succeeded']", new() { Timeout = 180000 });
        await page.WaitForSelectorAsync(".dataset[data-dataset='synth-import'] .category-chart");
        var split = await page.GetAttributeAsync(".dataset[data-dataset='synth-import'] .split", "data-split");
        Assert.NotNull(split);
        Assert.NotEqual("0", await page.InnerTextAsync(".dataset[data-dataset='synth-import'] .split-stems"));
        await session.ShotAsync("21-datasets-imported");

        await page.GetByLabel("Splits (comma-separated)").FillAsync(split!);
        await page.GetByLabel("Encode the first seconds (0: all)").FillAsync("4");
        await page.ClickAsync("#tokens-start");
        await page.WaitForSelectorAsync(".task[data-task='3'][data-state='Succeeded']", new() { Timeout = 180000 });
        await page.WaitForSelectorAsync(".dataset[data-dataset='synth-import'] .token-cache");
        await session.ShotAsync("22-datasets-tokens");
        Assert.Empty(session.Errors);
    }
}
