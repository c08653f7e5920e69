using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MathNet.Numerics.Distributions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Evaluation.Mos;
using StemGen.Web.Data;
using StemGen.Web.Listening;

namespace StemGen.Web.Tests;

/// <summary>
/// Results of a study from ratings given through the API: means and intervals against a hand
/// computation, screening on the hidden reference, paired differences, histograms and the CSV export.
/// </summary>
public sealed class ListeningResultsTests : IAsyncLifetime
{
    private readonly StudioFactory factory = new(settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "r-admin" });
    private StudioClient admin = null!;
    private int studyId;

    public async Task InitializeAsync()
    {
        TestDatasets.Write(Path.Combine(factory.DataDirectory, "datasets"), "tiny");
        admin = await factory.RegisterAsync("r-admin");
        studyId = await ListeningTests.CreateStudyAsync(admin, ListeningTests.Design(presets: ["best"], items: 2, clip: 1));
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    /// <summary>Each listener's scores by condition and example (clips arrive in the listener's own random order; the test looks their condition up).</summary>
    private async Task RateAllAsync(string name, Dictionary<ConditionKind, int[]> scores, int limit = int.MaxValue)
    {
        var listener = await factory.RegisterListenerAsync(name);
        var session = await (await listener.Http.PostAsync($"/api/listen/studies/{studyId}/session", null)).Content.ReadFromJsonAsync<JsonElement>();
        Dictionary<string, (ConditionKind Kind, int Example)> truth;
        await using (var scope = factory.Services.CreateAsyncScope())
            truth = await scope.ServiceProvider.GetRequiredService<StudioDbContext>().StudyItems.Include(i => i.Condition)
                .Where(i => i.StudyId == studyId).ToDictionaryAsync(i => i.PublicId, i => (i.Condition!.Kind, i.Example));
        foreach (var clip in session.GetProperty("clips").EnumerateArray().Take(limit))
        {
            var id = clip.GetProperty("id").GetString()!;
            Assert.Equal(HttpStatusCode.OK, (await listener.Http.GetAsync($"/api/listen/clips/{id}/audio")).StatusCode);
            factory.Clock.Advance(TimeSpan.FromSeconds(clip.GetProperty("durationSeconds").GetDouble()));
            var (kind, example) = truth[id];
            Assert.Equal(HttpStatusCode.NoContent, (await listener.Http.PostAsJsonAsync($"/api/listen/clips/{id}/rating", new { score = scores[kind][example] })).StatusCode);
        }
    }

    [Fact]
    public async Task Means_and_intervals_match_a_hand_computation_and_failing_raters_are_screened_out()
    {
        await RateAllAsync("ann", new() { [ConditionKind.Reference] = [5, 4], [ConditionKind.Generated] = [3, 3], [ConditionKind.Anchor] = [1, 2] });
        await RateAllAsync("bob", new() { [ConditionKind.Reference] = [4, 4], [ConditionKind.Generated] = [2, 4], [ConditionKind.Anchor] = [1, 1] });
        // Not paying attention: the real stem rated low in both of its trials.
        await RateAllAsync("cat", new() { [ConditionKind.Reference] = [1, 2], [ConditionKind.Generated] = [5, 5], [ConditionKind.Anchor] = [5, 4] });
        // Stopped after one clip: listed, not counted.
        await RateAllAsync("dan", new() { [ConditionKind.Reference] = [3, 3], [ConditionKind.Generated] = [3, 3], [ConditionKind.Anchor] = [3, 3] }, limit: 1);

        var screening = await admin.Http.PutAsJsonAsync($"/api/admin/studies/{studyId}/screening",
            new { rule = "Reference", referenceBelow = 3, anchorAbove = 3, maxFailPercent = 30 }, StudioClient.Json);
        Assert.Equal(HttpStatusCode.NoContent, screening.StatusCode);

        await using var scope = factory.Services.CreateAsyncScope();
        var report = (await scope.ServiceProvider.GetRequiredService<StudyResults>().ReportAsync(studyId))!;
        Assert.Equal(["kept", "kept", "screened out: rated the hidden reference below 3 in 2 of 2 trials", "in progress (1 of 6 rated): not counted yet"],
            report.Raters.Select(r => r.Status));

        // By hand, kept raters ann and bob. Reference 5, 4, 4, 4: mean 4.25, s = 0.5, t(0.975, 3) = 3.18245, half-width 3.18245 * 0.5 / 2.
        var reference = report.Conditions.Single(c => c.Kind == ConditionKind.Reference);
        Assert.Equal(4.25, reference.Mean!.Value, 10);
        Assert.Equal(3.18245 * 0.5 / 2, reference.T!.HalfWidth, 4);
        // StemGen best: 3, 3, 2, 4: mean 3, s = sqrt(2/3).
        var generated = report.Conditions.Single(c => c.Kind == ConditionKind.Generated);
        Assert.Equal(3.0, generated.Mean!.Value, 10);
        Assert.Equal(3.18245 * Math.Sqrt(2.0 / 3) / 2, generated.T!.HalfWidth, 4);
        // Anchor: 1, 2, 1, 1.
        Assert.Equal(1.25, report.Conditions.Single(c => c.Kind == ConditionKind.Anchor).Mean!.Value, 10);
        Assert.Equal([0, 1, 2, 1, 0], generated.Histogram);

        // Random effects from the stored ratings of the kept raters (the statistic itself is tested in StemGen.Evaluation.Tests).
        var stored = await scope.ServiceProvider.GetRequiredService<StudioDbContext>().StudyAssignments
            .Where(a => a.StudyId == studyId && a.Score != null && a.Item!.Condition!.Kind == ConditionKind.Reference)
            .Select(a => new { a.UserId, a.Item!.PublicId, Score = a.Score!.Value }).ToListAsync();
        var keptIds = await scope.ServiceProvider.GetRequiredService<StudioDbContext>().Users.Where(u => u.UserName == "ann" || u.UserName == "bob").Select(u => u.Id).ToListAsync();
        var byHand = MosStatistics.RandomEffectsInterval(stored.Where(s => keptIds.Contains(s.UserId)).Select(s => new Rating(s.UserId, s.PublicId, s.Score)).ToList());
        Assert.Equal(byHand.Low, reference.RandomEffects!.Low, 10);
        Assert.Equal(byHand.High, reference.RandomEffects!.High, 10);

        // Reference minus best, paired by rater: ann 4.5 - 3 = 1.5, bob 4 - 3 = 1; mean 1.25, s = sqrt(0.125), t(0.975, 1) = 12.7062.
        var pair = report.Pairs.Single(p => p.A == reference.Name && p.B == generated.Name);
        Assert.Equal(1.25, pair.Difference!.Mean, 10);
        Assert.Equal(StudentT.InvCDF(0, 1, 1, 0.975) * Math.Sqrt(0.125) / Math.Sqrt(2), pair.Difference.HalfWidth, 10);
        Assert.Equal(12.7062, StudentT.InvCDF(0, 1, 1, 0.975), 3);

        // The admin API says the same.
        var json = await admin.GetJsonAsync($"/api/admin/studies/{studyId}");
        var referenceJson = json.GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == "Reference");
        Assert.Equal(4.25, referenceJson.GetProperty("mean").GetDouble(), 10);
        Assert.False(json.TryGetProperty("pseudonymKey", out _));

        // Without screening cat counts again.
        await admin.Http.PutAsJsonAsync($"/api/admin/studies/{studyId}/screening", new { rule = "None", referenceBelow = 3, anchorAbove = 3, maxFailPercent = 30 }, StudioClient.Json);
        var all = (await scope.ServiceProvider.GetRequiredService<StudyResults>().ReportAsync(studyId))!;
        Assert.Equal((5 + 4 + 4 + 4 + 1 + 2) / 6.0, all.Conditions.Single(c => c.Kind == ConditionKind.Reference).Mean!.Value, 10);
    }

    [Fact]
    public async Task The_csv_export_has_every_rating_with_pseudonymous_listeners()
    {
        await RateAllAsync("eve", new() { [ConditionKind.Reference] = [5, 5], [ConditionKind.Generated] = [4, 3], [ConditionKind.Anchor] = [1, 1] });
        await RateAllAsync("fay", new() { [ConditionKind.Reference] = [4, 5], [ConditionKind.Generated] = [3, 3], [ConditionKind.Anchor] = [2, 1] }, limit: 2);

        var response = await admin.Http.GetAsync($"/api/admin/studies/{studyId}/ratings.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("listener,item,condition,kind,preset,example,position,played_seconds,ended,score,rated_at,kept", lines[0]);
        Assert.Equal(6 + 2, lines.Length - 1);
        var listeners = lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().ToList();
        Assert.Equal(2, listeners.Count);
        Assert.All(listeners, l => Assert.Matches("^L-[0-9A-F]{8}$", l));

        await using var scope = factory.Services.CreateAsyncScope();
        var users = await scope.ServiceProvider.GetRequiredService<StudioDbContext>().Users.Where(u => u.UserName == "eve" || u.UserName == "fay").ToListAsync();
        var text = string.Join("\n", lines);
        foreach (var user in users)
        {
            Assert.DoesNotContain(user.Id, text);
            Assert.DoesNotContain(user.UserName!, text);
        }
        Assert.Contains(",Reference,,", text);
        Assert.Contains(",Generated,best,", text);
        Assert.Equal(6, lines.Count(l => l.EndsWith(",true"))); // eve finished and is kept; fay is not counted yet
    }
}
