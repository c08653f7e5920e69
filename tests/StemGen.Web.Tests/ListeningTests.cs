using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Audio;
using StemGen.Web.Data;
using StemGen.Web.Storage;

namespace StemGen.Web.Tests;

/// <summary>
/// Listening studies end to end over HTTP: an admin designs a study on a tiny imported dataset, the
/// preparation job makes the clips, listeners take it blind, and the rules hold (play first, rate once,
/// only what is assigned, nothing that names a condition).
/// </summary>
/// <remarks>Runs on SQLite and on PostgreSQL (the nested <see cref="Sqlite"/> and <see cref="Postgres"/> classes).</remarks>
public abstract class ListeningTests(TestDatabase database) : IAsyncLifetime
{
    private readonly StudioFactory factory = new(database: database, settings: new Dictionary<string, string> { ["Studio:Admins:0"] = "lt-admin" });
    private StudioClient admin = null!;

    public async Task InitializeAsync()
    {
        TestDatasets.Write(DatasetsRoot, "tiny");
        admin = await factory.RegisterAsync("lt-admin");
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private string DatasetsRoot => Path.Combine(factory.DataDirectory, "datasets");

    internal static object Design(string name = "Fit study", bool openToAll = true, string[]? presets = null, bool anchor = true, int items = 2, double clip = 1.5) => new
    {
        name, dataset = "tiny", itemsPerCondition = items, clipSeconds = clip, seed = 7, reference = true,
        presets = presets ?? ["naive", "best"], anchor, openToAll,
    };

    internal static async Task<int> CreateStudyAsync(StudioClient admin, object design)
    {
        var response = await admin.Http.PostAsJsonAsync("/api/admin/studies", design, StudioClient.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await Poll.UntilAsync(() => admin.GetJsonAsync($"/api/admin/studies/{id}"), study =>
        {
            var state = study.GetProperty("state").GetString();
            Assert.True(state is "Open" or "Preparing", $"preparation ended {state}: {study}");
            return state == "Open";
        }, seconds: 60, $"study {id} still preparing", intervalMs: 100);
        return id;
    }

    private async Task<StudioClient> ListenerAsync(string name) => await factory.RegisterListenerAsync(name);

    private static async Task<List<(string Id, double Duration)>> StartAsync(StudioClient listener, int studyId)
    {
        var session = await listener.Http.PostAsync($"/api/listen/studies/{studyId}/session", null);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        var json = await session.Content.ReadFromJsonAsync<JsonElement>();
        return json.GetProperty("clips").EnumerateArray().Select(c => (c.GetProperty("id").GetString()!, c.GetProperty("durationSeconds").GetDouble())).ToList();
    }

    private static Task<HttpResponseMessage> PlayAsync(StudioClient listener, string clip, double position, bool ended) =>
        listener.Http.PostAsJsonAsync($"/api/listen/clips/{clip}/playback", new { position, ended });

    /// <summary>The listener fetches the clip's audio and the studio's clock moves on by <paramref name="seconds"/> (the listening).</summary>
    private async Task HearAsync(StudioClient listener, string clip, double seconds)
    {
        Assert.Equal(HttpStatusCode.OK, (await listener.Http.GetAsync($"/api/listen/clips/{clip}/audio")).StatusCode);
        factory.Clock.Advance(TimeSpan.FromSeconds(seconds));
    }

    private static Task<HttpResponseMessage> RateAsync(StudioClient listener, string clip, int score) =>
        listener.Http.PostAsJsonAsync($"/api/listen/clips/{clip}/rating", new { score });

    private async Task<T> WithDbAsync<T>(Func<StudioDbContext, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<StudioDbContext>());
    }

    [Fact]
    public async Task A_study_is_prepared_into_loudness_normalised_mixes_of_every_condition()
    {
        var studyId = await CreateStudyAsync(admin, Design());

        var items = await WithDbAsync(db => db.StudyItems.Include(i => i.Condition).Where(i => i.StudyId == studyId).ToListAsync());
        Assert.Equal(4 * 2, items.Count); // reference, naive, best, anchor x 2 examples
        Assert.Equal(4, items.Select(i => i.ConditionId).Distinct().Count());
        Assert.All(items, i => Assert.Equal(StudyItem.PublicIdLength, i.PublicId.Length));
        Assert.Equal(items.Count, items.Select(i => i.PublicId).Distinct().Count());
        Assert.All(items.Where(i => i.Condition!.Kind == ConditionKind.Generated), i => Assert.Contains("test tone generator", i.Condition!.Model));
        Assert.All(items.Where(i => i.Condition!.Kind == ConditionKind.Anchor), i => Assert.Contains("another song", i.Source));
        // The two examples come from two songs, and the same example is used by every condition (so conditions pair).
        Assert.Equal(2, items.Where(i => i.Condition!.Kind == ConditionKind.Reference).Select(i => i.Source.Split(' ')[0]).Distinct().Count());

        var blobs = factory.Services.GetRequiredService<IBlobStore>();
        foreach (var item in items)
        {
            var path = Path.Combine(factory.DataDirectory, $"clip-{item.Id}.wav");
            await using (var source = blobs.OpenRead(item.BlobHash!)) await using (var file = File.Create(path)) await source.CopyToAsync(file);
            var audio = AudioFile.Read(path);
            Assert.Equal(1.5, audio.Duration.TotalSeconds, 2);
            // One loudness for every clip (EBU R128 -23 LUFS), and no clipping: peaks stay under the -1 dBFS ceiling.
            Assert.InRange(Loudness.Integrated(audio), -23.5, -22.5);
            Assert.True(audio.Peak() <= 0.9, $"peak {audio.Peak()}");
        }
        Assert.Equal(2 * 2, factory.Generator.Calls); // naive and best for each example
    }

    [Fact]
    public async Task No_response_to_a_listener_names_a_condition_a_model_or_a_source()
    {
        var studyId = await CreateStudyAsync(admin, Design());
        var listener = await ListenerAsync("blind-listener");
        var secrets = await WithDbAsync(async db =>
        {
            var conditions = await db.StudyConditions.Where(c => c.StudyId == studyId).ToListAsync();
            var sources = await db.StudyItems.Where(i => i.StudyId == studyId).Select(i => i.Source).ToListAsync();
            return conditions.Select(c => c.Name).Concat(conditions.Select(c => c.Model).OfType<string>()).Concat(sources)
                .Concat(["naive", "sampler", "test tone generator", "Track0000", "\"Reference\"", "\"Generated\"", "\"Anchor\"", "hidden reference", "low anchor", "another song"]).ToList();
        });

        var seen = new List<(string What, string Text)>();
        async Task Record(string what, HttpResponseMessage response)
        {
            var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
            var bytes = await response.Content.ReadAsByteArrayAsync();
            seen.Add((what, headers + "\n" + Encoding.Latin1.GetString(bytes)));
        }

        await Record("list", await listener.Http.GetAsync("/api/listen/studies"));
        await Record("session", await listener.Http.PostAsync($"/api/listen/studies/{studyId}/session", null));
        await Record("listen page", await listener.Http.GetAsync("/listen"));
        await Record("study page", await listener.Http.GetAsync($"/listen/{studyId}"));
        foreach (var (clip, duration) in await StartAsync(listener, studyId))
        {
            var audio = await listener.Http.GetAsync($"/api/listen/clips/{clip}/audio");
            Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
            Assert.Null(audio.Content.Headers.ContentDisposition); // no file name to give anything away
            await Record($"audio {clip}", audio);
            await Record($"early rating {clip}", await RateAsync(listener, clip, 3));
            await Record($"playback {clip}", await PlayAsync(listener, clip, duration, ended: true));
            factory.Clock.Advance(TimeSpan.FromSeconds(duration));
            await Record($"rating {clip}", await RateAsync(listener, clip, 4));
            await Record($"second rating {clip}", await RateAsync(listener, clip, 5));
        }
        await Record("finished study page", await listener.Http.GetAsync($"/listen/{studyId}"));

        Assert.True(seen.Count > 10);

        // Each listener gets the same clips in an order drawn for them (8 clips: the same order by chance is 1 in 40320).
        var first = (await StartAsync(listener, studyId)).Select(c => c.Id).ToList();
        var second = (await StartAsync(await ListenerAsync("second-listener"), studyId)).Select(c => c.Id).ToList();
        Assert.Equal(first.Order(), second.Order());
        Assert.NotEqual(first, second);
        foreach (var (what, text) in seen)
            foreach (var secret in secrets)
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{what} reveals '{secret}'");
    }

    [Fact]
    public async Task A_clip_is_rated_only_after_it_was_heard_and_only_once()
    {
        var studyId = await CreateStudyAsync(admin, Design(presets: ["best"], anchor: false, items: 1, clip: 2));
        var listener = await ListenerAsync("careful-listener");
        var clips = await StartAsync(listener, studyId);
        Assert.Equal(2, clips.Count);
        var (clip, duration) = clips[0];

        var early = await RateAsync(listener, clip, 4); // the audio was never fetched
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.Contains("play the clip to the end", await early.Content.ReadAsStringAsync());
        // Only the next clip's audio is served.
        Assert.Equal(HttpStatusCode.NotFound, (await listener.Http.GetAsync($"/api/listen/clips/{clips[1].Id}/audio")).StatusCode);
        await HearAsync(listener, clip, duration / 2);
        Assert.Equal(HttpStatusCode.OK, (await PlayAsync(listener, clip, duration, ended: true)).StatusCode); // the page's position is only shown
        var half = await RateAsync(listener, clip, 4); // half its length on the studio's clock
        Assert.Equal(HttpStatusCode.BadRequest, half.StatusCode);
        Assert.Contains("play the clip to the end before rating it (2.0 s)", await half.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await PlayAsync(listener, clip, -1, ended: false)).StatusCode);

        factory.Clock.Advance(TimeSpan.FromSeconds(duration / 2));
        foreach (var bad in new[] { 0, 6, -1 })
        {
            var refused = await RateAsync(listener, clip, bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("from 1 (bad) to 5 (excellent)", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NoContent, (await RateAsync(listener, clip, 4)).StatusCode);
        var again = await RateAsync(listener, clip, 2);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already rated", await again.Content.ReadAsStringAsync());

        // Two ratings at once of the other clip: exactly one is stored.
        var (other, otherDuration) = clips[1];
        await HearAsync(listener, other, otherDuration);
        var both = await Task.WhenAll(RateAsync(listener, other, 1), RateAsync(listener, other, 5));
        Assert.Single(both, r => r.StatusCode == HttpStatusCode.NoContent);
        Assert.Single(both, r => r.StatusCode == HttpStatusCode.Conflict);

        var scores = await WithDbAsync(db => db.StudyAssignments.Where(a => a.StudyId == studyId).Select(a => a.Score).ToListAsync());
        Assert.Equal(2, scores.Count);
        Assert.Contains(4, scores);
        Assert.All(scores, s => Assert.NotNull(s));

        // Resuming: a new session returns the same order, both rated.
        var resumed = await listener.GetJsonAsync("/api/listen/studies");
        Assert.Equal(2, resumed[0].GetProperty("rated").GetInt32());
        Assert.Equal(clips.Select(c => c.Id), (await StartAsync(listener, studyId)).Select(c => c.Id));
    }

    [Fact]
    public async Task A_listener_can_neither_hear_nor_rate_a_clip_not_assigned_to_them()
    {
        var invited = await CreateStudyAsync(admin, Design(name: "Invite only", openToAll: false, presets: ["best"], anchor: false, items: 1));
        var open = await CreateStudyAsync(admin, Design(name: "Open", presets: ["best"], anchor: false, items: 1));
        var insider = await ListenerAsync("insider");
        var outsider = await ListenerAsync("outsider");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsJsonAsync($"/api/admin/studies/{invited}/invites", new { userName = "insider" })).StatusCode);

        var insiderClips = await StartAsync(insider, invited);
        var outsiderStudies = await outsider.GetJsonAsync("/api/listen/studies");
        Assert.Equal(["Open"], outsiderStudies.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.PostAsync($"/api/listen/studies/{invited}/session", null)).StatusCode);
        Assert.Contains("not open to you", await outsider.Http.GetStringAsync($"/listen/{invited}"));

        foreach (var (clip, duration) in insiderClips)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.Http.GetAsync($"/api/listen/clips/{clip}/audio")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await PlayAsync(outsider, clip, duration, ended: true)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await RateAsync(outsider, clip, 5)).StatusCode);
        }
        // An item of an open study is not theirs either until they start it.
        var openItem = await WithDbAsync(db => db.StudyItems.Where(i => i.StudyId == open).Select(i => i.PublicId).FirstAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await RateAsync(outsider, openItem, 5)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await RateAsync(outsider, "not-a-clip", 5)).StatusCode);
        Assert.Equal(0, await WithDbAsync(db => db.StudyAssignments.CountAsync(a => a.Score != null)));

        // A closed study takes no more ratings, even from those who started it.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.PostAsync($"/api/admin/studies/{invited}/close", null)).StatusCode);
        var (first, length) = insiderClips[0];
        Assert.Equal(HttpStatusCode.NotFound, (await PlayAsync(insider, first, length, ended: true)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await RateAsync(insider, first, 5)).StatusCode);
    }

    [Fact]
    public async Task Bad_designs_are_refused_with_a_reason_and_nothing_is_stored()
    {
        TestDatasets.Write(DatasetsRoot, "train-only", split: "train");
        TestDatasets.Write(DatasetsRoot, "one-song", songs: 1);
        var outside = Directory.CreateTempSubdirectory("stemgen-outside-").FullName;
        TestDatasets.Write(outside, "elsewhere");
        Directory.CreateSymbolicLink(Path.Combine(DatasetsRoot, "linked"), Path.Combine(outside, "elsewhere"));
        try
        {
            var cases = new (object Design, string Message)[]
            {
                (new { name = "  ", dataset = "tiny" }, "give the study a name"),
                (new { name = "x", dataset = "tiny", itemsPerCondition = 0 }, "items per condition must be 1 to 200"),
                (new { name = "x", dataset = "tiny", clipSeconds = 0.5 }, "clip length must be 1 to 30 seconds"),
                (new { name = "x", dataset = "tiny", clipSeconds = 31 }, "clip length must be 1 to 30 seconds"),
                (new { name = "x", dataset = "tiny", clipSeconds = 5 }, "has no segment of 5 s or more"),
                (new { name = "x", dataset = "tiny", itemsPerCondition = 10, clipSeconds = 1.5 }, "ask for at most 9 items per condition"),
                (new { name = "x", dataset = "missing" }, "unknown dataset 'missing'"),
                (new { name = "x", dataset = "" }, "choose a dataset"),
                (new { name = "x", dataset = (string?)null }, "choose a dataset"),
                (new { name = "x", dataset = "tiny", presets = (string[]?)null }, "list the presets"),
                (new { name = "x", dataset = "train-only" }, "has no test split (it has train)"),
                (new { name = "x", dataset = "one-song", clipSeconds = 1.5, itemsPerCondition = 2 }, "at least two songs"),
                (new { name = "x", dataset = "../" + Path.GetFileName(factory.DataDirectory) }, "'..' is not allowed"),
                (new { name = "x", dataset = Path.Combine(outside, "elsewhere") }, "outside the datasets root"),
                (new { name = "x", dataset = "linked" }, "outside the datasets root"),
                (new { name = "x", dataset = "tiny", presets = new[] { "greedy" } }, "unknown preset 'greedy'"),
                (new { name = "x", dataset = "tiny", presets = Array.Empty<string>(), reference = false, anchor = false }, "choose at least one condition"),
                (new { name = "x", dataset = "tiny", anchor = false, screening = "Anchor" }, "needs the anchor condition"),
                (new { name = "x", dataset = "tiny", minPlaySeconds = 12 }, "minimum play time"),
            };
            foreach (var (design, message) in cases)
            {
                var response = await admin.Http.PostAsJsonAsync("/api/admin/studies", design, StudioClient.Json);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(design)}: {response.StatusCode}");
                Assert.Contains(message, await response.Content.ReadAsStringAsync());
            }
            Assert.Equal(0, await WithDbAsync(db => db.ListeningStudies.CountAsync()));
        }
        finally { Directory.Delete(outside, recursive: true); }
    }

    [Fact]
    public async Task Study_pages_and_endpoints_refuse_other_roles()
    {
        var studyId = await CreateStudyAsync(admin, Design(presets: ["best"], anchor: false, items: 1));
        var listener = await ListenerAsync("just-a-listener");
        var anonymous = factory.NewClient();
        await anonymous.FetchApiTokenAsync();

        foreach (var url in new[] { "/api/admin/studies", $"/api/admin/studies/{studyId}", $"/api/admin/studies/{studyId}/ratings.csv" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await listener.Http.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(url)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await listener.Http.PostAsJsonAsync("/api/admin/studies", Design(), StudioClient.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await listener.Http.PostAsJsonAsync($"/api/admin/studies/{studyId}/invites", new { userName = "just-a-listener" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await listener.Http.PutAsJsonAsync($"/api/admin/studies/{studyId}/screening",
            new { rule = "None", referenceBelow = 3, anchorAbove = 3, maxFailPercent = 30 }, StudioClient.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await listener.Http.PostAsync($"/api/admin/studies/{studyId}/close", null)).StatusCode);
        Assert.Equal(1, await WithDbAsync(db => db.ListeningStudies.CountAsync()));

        foreach (var page in new[] { "/admin/studies", $"/admin/studies/{studyId}" })
        {
            var refused = await listener.Http.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.StartsWith("/account/denied", refused.Headers.Location!.OriginalString.Replace("http://localhost", ""));
            Assert.Equal(HttpStatusCode.Redirect, (await anonymous.Http.GetAsync(page)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(page)).StatusCode);
        }

        // Without the Listener role, the listener API and pages are closed too.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Microsoft.AspNetCore.Identity.IdentityUser>>();
            await users.RemoveFromRoleAsync((await users.FindByNameAsync("just-a-listener"))!, Data.Roles.Listener);
        }
        var former = factory.NewClient();
        Assert.Equal(HttpStatusCode.Redirect, (await former.LoginAsync("just-a-listener", "secret123")).StatusCode);
        await former.FetchApiTokenAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await former.Http.GetAsync("/api/listen/studies")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await former.Http.PostAsync($"/api/listen/studies/{studyId}/session", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await former.Http.GetAsync($"/listen/{studyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/api/listen/studies")).StatusCode);
    }

    public sealed class Sqlite() : ListeningTests(TestDatabase.Sqlite);

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class Postgres(PostgresServer server) : ListeningTests(server.NewDatabase());
}
