using Microsoft.Playwright;

namespace StemGen.Web.Tests.Browser;

/// <summary>The studio's own pages, MudBlazor and the timeline (Web Audio, SVG waveforms) work under the content security policy: Chromium reports no violation.</summary>
public sealed class ContentSecurityPolicyBrowserTests
{
    [BrowserFact]
    public async Task The_studio_pages_and_waveforms_pass_the_content_security_policy()
    {
        await using var factory = new KestrelStudioFactory(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "csp-admin" });
        var baseUrl = factory.Start();
        var folder = Directory.CreateTempSubdirectory("stemgen-csp-").FullName;
        try
        {
            await using var session = await BrowserSession.RegisterAsync(baseUrl, "csp-admin", existing: true);
            var page = session.Page;
            var violations = new List<string>();
            page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy")) violations.Add(m.Text); };

            await page.GetByLabel("New project name").FillAsync("Policed song");
            await page.ClickAsync("button:has-text('Create project')");
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/projects/\\d+$"));
            var files = new[] { ("bass.wav", 110.0), ("drums.wav", 440.0) }.Select(f =>
            {
                var path = Path.Combine(folder, f.Item1);
                File.WriteAllBytes(path, TestAudio.Wav(1.0, f.Item2));
                return path;
            }).ToArray();
            await page.WaitForSelectorAsync("#upload-zone[data-ready=true]");
            await page.SetInputFilesAsync("#upload-files", files);
            // The timeline decodes the stems with Web Audio and draws their peaks as SVG.
            await page.WaitForFunctionAsync("() => stemgenTimeline.status().decoded >= 2 && stemgenTimeline.status().waveforms >= 2");

            foreach (var url in new[] { "/admin", "/admin/users", "/admin/studies", "/admin/jobs", "/listen" })
            {
                await page.GotoAsync(baseUrl + url);
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            }
            Assert.Empty(violations);
            Assert.Empty(session.Errors);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            factory.DeleteData();
        }
    }
}
