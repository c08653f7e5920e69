using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StemGen.Web.Data;

namespace StemGen.Web.Tests.Browser;

/// <summary>
/// A listening study in headless Chromium: an admin designs a small study with two conditions (the
/// hidden reference and StemGen's best sampler) on a tiny imported dataset and watches it prepare;
/// two listeners register, play every clip to the end and rate it; the results page shows the means
/// and intervals of a hand computation over those ratings. Screenshots (TestResults/screenshots):
/// 10-study-design, 11-study-ready, 12-listening, 13-listening-done, 14-study-results.
/// </summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
[Collection(BrowserCollection.Name)]
public sealed class ListeningBrowserTests
{
    // The ratings each listener gives, by condition and example: the hand computation below is over these.
    private static readonly Dictionary<string, Dictionary<ConditionKind, int[]>> Ratings = new()
    {
        ["listener-one"] = new() { [ConditionKind.Reference] = [5, 4], [ConditionKind.Generated] = [3, 3] },
        ["listener-two"] = new() { [ConditionKind.Reference] = [4, 4], [ConditionKind.Generated] = [2, 4] },
    };

    [BrowserFact]
    public async Task An_admin_designs_a_study_two_listeners_take_it_and_the_results_match_a_hand_computation()
    {
        await using var factory = new KestrelStudioFactory(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "study-admin" });
        TestDatasets.Write(Path.Combine(factory.DataDirectory, "datasets"), "tiny");
        var baseUrl = factory.Start();
        var shots = Path.Combine(AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/tests/", StringComparison.Ordinal)], "TestResults", "screenshots");
        Directory.CreateDirectory(shots);
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = BrowserFactAttribute.Chromium, Headless = true,
                Args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
            });
            var errors = new List<string>();

            // The admin designs the study.
            var admin = await NewUserPageAsync(factory, browser, baseUrl, "study-admin", errors);
            await admin.GotoAsync($"{baseUrl}/admin/studies");
            await admin.GetByLabel("Study name").FillAsync("Does it fit?");
            Assert.Equal("tiny", await admin.GetByLabel("Dataset (folder under the datasets root)").InputValueAsync()); // the only dataset is preselected
            await admin.GetByLabel("Items per condition").FillAsync("2");
            await admin.GetByLabel("Clip length (s)").FillAsync("1.5");
            await admin.GetByLabel("Seed (empty: random)").FillAsync("11");
            await admin.ClickAsync("text=StemGen, naive sampler"); // untick: two conditions, the real stem and the best sampler
            await admin.ClickAsync("text=Low anchor (the real stem over another song's context)");
            await admin.ClickAsync("text=Open to all listeners");
            await admin.Keyboard.PressAsync("Tab");
            await admin.ScreenshotAsync(new() { Path = Path.Combine(shots, "10-study-design.png"), FullPage = true });
            await admin.ClickAsync("#create-study");
            await admin.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin/studies/\\d+$"), new() { Timeout = 15000 });
            var studyId = int.Parse(admin.Url.Split('/').Last());
            await admin.WaitForSelectorAsync("#study-state:has-text('Open')", new() { Timeout = 60000 });
            await admin.ScreenshotAsync(new() { Path = Path.Combine(shots, "11-study-ready.png"), FullPage = true });

            Dictionary<string, (ConditionKind Kind, int Example)> truth;
            await using (var scope = factory.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
                Assert.Equal([ConditionKind.Reference, ConditionKind.Generated],
                    await db.StudyConditions.Where(c => c.StudyId == studyId).OrderBy(c => c.Position).Select(c => c.Kind).ToListAsync());
                truth = await db.StudyItems.Include(i => i.Condition).Where(i => i.StudyId == studyId)
                    .ToDictionaryAsync(i => i.PublicId, i => (i.Condition!.Kind, i.Example));
            }
            Assert.Equal(4, truth.Count);

            // Two listeners take it: each clip is played to the end before the scale opens.
            foreach (var (name, ratings) in Ratings)
            {
                var page = await NewUserPageAsync(factory, browser, baseUrl, name, errors);
                await page.GotoAsync($"{baseUrl}/listen");
                await page.ClickAsync(".study-card a:has-text('Start')");
                await page.WaitForURLAsync($"**/listen/{studyId}");
                for (var n = 0; n < truth.Count; n++)
                {
                    var clip = await (await page.WaitForSelectorAsync("#clip"))!.GetAttributeAsync("data-clip");
                    Assert.NotNull(clip);
                    Assert.True(await page.Locator(".rate[data-score='5']").IsDisabledAsync(), "the scale opens only after playing");
                    await page.ClickAsync("#play-clip");
                    if (name == "listener-one" && n == 0)
                    {
                        await page.WaitForFunctionAsync("() => parseFloat(document.querySelector('#clip-time').textContent) > 0.3");
                        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "12-listening.png"), FullPage = true });
                    }
                    await page.WaitForSelectorAsync(".rate[data-score='5']:not([disabled])", new() { Timeout = 15000 });
                    var (kind, example) = truth[clip!];
                    await page.ClickAsync($".rate[data-score='{ratings[kind][example]}']");
                    await page.WaitForFunctionAsync("old => { const c = document.querySelector('#clip'); return !c || c.dataset.clip !== old; }", clip);
                }
                await page.WaitForSelectorAsync("#study-done");
                Assert.Contains("4 of 4 clips rated", await page.InnerTextAsync("#progress-text"));
                if (name == "listener-two") await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "13-listening-done.png"), FullPage = true });
                await page.Context.CloseAsync();
            }

            // Results. By hand over the stored ratings: real stem 5, 4, 4, 4 and best 3, 3, 2, 4 (rows: listeners; columns: examples).
            // t: mean ± t(0.975, 3) s / 2 with t(0.975, 3) = 3.18245: real 4.25 ± 3.18245 * 0.5 / 2 = 0.80; best 3.00 ± 3.18245 * 0.8165 / 2 = 1.30.
            // Random effects (ANOVA, 2 x 2): real: MS_R = MS_I = MS_E = 0.25, so Var = MS_E / 4 = 0.0625 on 1 df: ± 12.7062 * 0.25 = 3.18;
            // best: MS_R = 0, MS_I = MS_E = 1, Var = 0.25 on 1 df: ± 12.7062 * 0.5 = 6.35.
            // Real minus best, paired by rater: 1.5 and 1.0, mean 1.25 ± 12.7062 * 0.35355 / sqrt(2) = 3.18.
            await admin.ReloadAsync();
            await admin.WaitForSelectorAsync("#mos");
            var real = admin.Locator("tr.condition[data-condition='Real stem (hidden reference)']");
            var best = admin.Locator("tr.condition[data-condition='StemGen, best sampler']");
            Assert.Equal("4", await real.Locator(".mos-ratings").InnerTextAsync());
            Assert.Equal("4.25", await real.Locator(".mos-mean").InnerTextAsync());
            Assert.Equal("3.45 – 5.05 (± 0.80)", await real.Locator(".mos-t").InnerTextAsync());
            Assert.Equal("1.07 – 7.43 (± 3.18)", await real.Locator(".mos-re").InnerTextAsync());
            Assert.Equal("3.00", await best.Locator(".mos-mean").InnerTextAsync());
            Assert.Equal("1.70 – 4.30 (± 1.30)", await best.Locator(".mos-t").InnerTextAsync());
            Assert.Equal("-3.35 – 9.35 (± 6.35)", await best.Locator(".mos-re").InnerTextAsync());
            Assert.Equal("+1.25", await admin.InnerTextAsync("#pairs .pair-mean"));
            Assert.Equal("-1.93 – 4.43 (± 3.18)", await admin.InnerTextAsync("#pairs .pair-interval"));
            Assert.Equal(2, await admin.Locator("#raters tr.kept").CountAsync());
            await admin.ScreenshotAsync(new() { Path = Path.Combine(shots, "14-study-results.png"), FullPage = true });
            Assert.Empty(errors);
        }
        finally { factory.DeleteData(); }
    }

    /// <summary>The admin (made by the operator) signs in; a listener registers and an admin makes her a Listener before she signs in again.</summary>
    private static async Task<IPage> NewUserPageAsync(KestrelStudioFactory factory, IBrowser browser, string baseUrl, string userName, List<string> errors)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.PageError += (_, e) => errors.Add($"{userName}: {e}");
        if (!factory.AdminNames.Contains(userName))
        {
            await BrowserSession.SignUpAsync(page, baseUrl, userName);
            await factory.GrantAsync(userName, Data.Roles.Listener);
        }
        await BrowserSession.SignInAsync(page, baseUrl, userName);
        return page;
    }
}
