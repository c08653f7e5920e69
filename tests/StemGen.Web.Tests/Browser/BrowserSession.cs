using Microsoft.Playwright;

namespace StemGen.Web.Tests.Browser;

/// <summary>
/// Headless Chromium on a 1400x1000 page, signed in as a user registered through the real form; collects page errors
/// and writes full-page screenshots to TestResults/screenshots.
/// </summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>True when the page's background (the theme palette's Background) is dark.</summary>
    public const string DarkScript =
        "() => { const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number); return r + g + b < 150; }";

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IPage page) => (this.playwright, this.browser, Page) = (playwright, browser, page);

    public IPage Page { get; }
    public List<string> Errors { get; } = [];

    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(Path.Combine(
        AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/tests/", StringComparison.Ordinal)], "TestResults", "screenshots")).FullName;

    /// <summary>A session of a new account (registered through the form) or, with <paramref name="existing"/>, of an account the operator made (signed in through the form).</summary>
    public static async Task<BrowserSession> RegisterAsync(string baseUrl, string userName, bool existing = false)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await (await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } })).NewPageAsync();
        var session = new BrowserSession(playwright, browser, page);
        page.PageError += (_, e) => session.Errors.Add(e);
        if (existing) await SignInAsync(page, baseUrl, userName);
        else await SignUpAsync(page, baseUrl, userName);
        return session;
    }

    /// <summary>Signs <paramref name="userName"/> (password secret123) in through the real form; the page lands on /projects.</summary>
    public static async Task SignInAsync(IPage page, string baseUrl, string userName)
    {
        await page.GotoAsync($"{baseUrl}/account/login");
        await page.FillAsync("input[name=userName]", userName);
        await page.FillAsync("input[name=password]", "secret123");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/projects");
    }

    /// <summary>Registers <paramref name="userName"/> (password secret123) through the real form; the page lands on /projects.</summary>
    public static async Task SignUpAsync(IPage page, string baseUrl, string userName)
    {
        await page.GotoAsync($"{baseUrl}/account/register");
        await page.FillAsync("input[name=userName]", userName);
        await page.FillAsync("input[name=password]", "secret123");
        await page.FillAsync("input[name=confirmPassword]", "secret123");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/projects");
    }

    public Task ShotAsync(string name) => Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    /// <summary>Switches the theme with the app bar's toggle and waits until the page is dark.</summary>
    public async Task DarkAsync()
    {
        await Page.ClickAsync("#theme-toggle");
        await Page.WaitForFunctionAsync(DarkScript);
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
