using Microsoft.Playwright;

namespace StemGen.Web.Tests.Browser;

/// <summary>
/// Evaluations in headless Chromium: an admin is refused a bad form, launches a small evaluation of the shipped tiny
/// model (table 1 at one scale, table 3, the steps grid, the baseline) and watches its progress, reads table 3 and the
/// plots, launches a second one and compares the two side by side, in the light and the dark theme.
/// Screenshots: 27-evaluation-form, 28-evaluation-live, 29-evaluation-done, 30-evaluation-compare, 31-33 dark.
/// </summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
[Collection(BrowserCollection.Name)]
public sealed class EvaluationBrowserTests
{
    [BrowserFact]
    public async Task An_admin_launches_an_evaluation_reads_its_tables_and_compares_two()
    {
        await using var factory = new KestrelStudioFactory(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "eval-admin" });
        TestDatasets.Write(Path.Combine(factory.DataDirectory, "datasets"), "tiny", songs: 3, seconds: 4, split: "test");
        var baseUrl = factory.Start();
        await using var session = await BrowserSession.RegisterAsync(baseUrl, "eval-admin", existing: true);
        var page = session.Page;

        Assert.Equal(1, await page.Locator("nav a[href='/admin/evaluations']").CountAsync()); // the navigation links here
        await page.GotoAsync($"{baseUrl}/admin/evaluations");
        await page.WaitForSelectorAsync("#launch-evaluation:not([disabled])");
        await page.GetByLabel("Examples", new() { Exact = true }).FillAsync("1");
        await page.ClickAsync("#launch-evaluation");
        await page.WaitForSelectorAsync("#launch-error:has-text('examples must be 2 to 400')");
        await page.GetByLabel("Examples", new() { Exact = true }).FillAsync("3");
        await page.GetByLabel("Seconds per example").FillAsync("1.5");
        await page.GetByLabel("Steps per level (paper: 128,64,32,32)").FillAsync("2,1,1,1");
        await page.GetByLabel("Table 1 scales λ > 1").FillAsync("NaN");
        await page.ClickAsync("label:has-text('Table 1 (guidance)')");
        await page.ClickAsync("label:has-text('Steps grid')");
        await page.ClickAsync("#launch-evaluation");
        await page.WaitForSelectorAsync("#launch-error:has-text(\"table 1 scales: 'NaN' is not a finite number\")");
        await page.GetByLabel("Table 1 scales λ > 1").FillAsync("2");
        await page.GetByLabel("Steps grid: first-level S values").FillAsync("1,2,4");
        await session.ShotAsync("27-evaluation-form");
        await page.ClickAsync("#launch-evaluation");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin/evaluations/1$"), new() { Timeout = 30000 });
        Assert.Contains(EvaluationTests.Model, await page.InnerTextAsync("#evaluation-settings")); // the only model, preselected

        // Progress is pushed to the page while it runs (no reload).
        await page.WaitForFunctionAsync("() => { const p = Number(document.querySelector('#evaluation-percent')?.textContent); return p > 0 && p < 100; }",
            null, new() { Timeout = 120000 });
        await session.ShotAsync("28-evaluation-live");
        await page.WaitForSelectorAsync("#evaluation-state:has-text('Succeeded')", new() { Timeout = 400000 });
        await session.ShotAsync("29-evaluation-done");
        var bestFad = await page.InnerTextAsync("#table-3 tr[data-row='best'] td[data-what='fad']");
        Assert.True(double.TryParse(bestFad, System.Globalization.CultureInfo.InvariantCulture, out var fad) && fad >= 0, bestFad);
        Assert.Contains("n = 3 examples of 1.5 s; FAD embedding logmel-stats", await page.InnerTextAsync("#table-3"));
        await page.WaitForSelectorAsync("#table-3 tr[data-row='baseline']");
        Assert.Equal(2, (await page.GetAttributeAsync("#plot-guidance-fad polyline", "points"))!.Split(' ').Length); // lambda = 1 and 2
        Assert.Equal(3, (await page.GetAttributeAsync("#plot-steps-mirdd polyline", "points"))!.Split(' ').Length); // S = 1, 2, 4
        foreach (var series in new[] { "generated (table3 best)", "real", "mismatched" }) // key is defined for every population; chords may not be (tones)
            Assert.Equal(1, await page.Locator($"#plot-coherence rect.bar[data-series='{series}'][data-category='key']").CountAsync());
        Assert.Equal("guidance scale λ (λa = λi)", await page.TextContentAsync("#plot-guidance-fad .x-label"));
        var csv = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-csv"));
        Assert.Equal("evaluation-1-report.csv", csv.SuggestedFilename);
        Assert.Equal(11, File.ReadAllLines(await csv.PathAsync()).Length); // header + 10 settings (the baseline, 4 of table 1, 2 of table 3, 3 steps)

        // A second evaluation (other seed, table 3 and the baseline only), then the two side by side.
        await page.GotoAsync($"{baseUrl}/admin/evaluations");
        await page.WaitForSelectorAsync("#launch-evaluation:not([disabled])");
        await page.GetByLabel("Examples", new() { Exact = true }).FillAsync("3");
        await page.GetByLabel("Seconds per example").FillAsync("1.5");
        await page.GetByLabel("Steps per level (paper: 128,64,32,32)").FillAsync("2,1,1,1");
        await page.GetByLabel("Seed", new() { Exact = true }).FillAsync("7");
        await page.ClickAsync("#launch-evaluation");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin/evaluations/2$"), new() { Timeout = 30000 });
        await page.WaitForSelectorAsync("#evaluation-state:has-text('Succeeded')", new() { Timeout = 300000 });
        await page.GotoAsync($"{baseUrl}/admin/evaluations");
        await page.WaitForSelectorAsync(".evaluation[data-evaluation='2'][data-state='Succeeded']");
        await page.ClickAsync("#compare-open");
        await page.WaitForURLAsync("**/admin/evaluations/compare?a=1&b=2");
        await page.WaitForSelectorAsync("#table-3 tr[data-row='best'] .value-diff");
        Assert.Contains(bestFad, await page.InnerTextAsync("#table-3 tr[data-row='best'] .value-a"));
        await page.WaitForSelectorAsync("#compare-different-examples"); // other seed: other examples
        await session.ShotAsync("30-evaluation-compare");

        await session.DarkAsync();
        await session.ShotAsync("32-evaluation-compare-dark");
        await page.GotoAsync($"{baseUrl}/admin/evaluations/1");
        await page.WaitForSelectorAsync("#plot-coherence rect.bar");
        await session.ShotAsync("31-evaluation-done-dark");
        await page.GotoAsync($"{baseUrl}/admin/evaluations");
        await page.WaitForSelectorAsync("#launch-evaluation:not([disabled])");
        await session.ShotAsync("33-evaluations-dark");
        Assert.Empty(session.Errors);
    }
}
