using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;

namespace StemGen.Web.Tests;

/// <summary>
/// A data folder written by the studio before the migrations were generated (Fixtures/db-2026-12-03,
/// see its README) opens in today's studio with nothing re-run and everything there: the users log
/// in, and the project, its members, stems (with their audio), the job and its candidates are as they were.
/// </summary>
public sealed class MigrationUpgradeTests : IAsyncLifetime
{
    private readonly StudioFactory factory = new(CopyOfFixture());

    private static string CopyOfFixture()
    {
        var target = Path.Combine(Path.GetTempPath(), "stemgen-web-tests", Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(MigrationSchemaTests.FixtureFolder, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "README.md") continue;
            var copy = Path.Combine(target, Path.GetRelativePath(MigrationSchemaTests.FixtureFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return target;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        factory.DeleteData();
    }

    private async Task<StudioClient> LogInAsync(string userName, string password)
    {
        var client = factory.NewClient();
        var response = await client.LoginAsync(userName, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/projects", response.Headers.Location?.OriginalString);
        await client.FetchApiTokenAsync();
        return client;
    }

    [Fact]
    public async Task The_2026_12_03_fixture_opens_with_its_users_projects_stems_jobs_and_candidates()
    {
        var owner = await LogInAsync("fixture-owner", "owner2026");

        // Nothing was re-run: the history keeps its one row, and the later migrations were applied after it.
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<StudioDbContext>();
            Assert.IsType<SqliteStudioDbContext>(db);
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.Equal("20261122050000_InitialSchema", (await db.Database.GetAppliedMigrationsAsync()).First());
            Assert.Equal(2, await db.Users.CountAsync());
            Assert.Equal(2, await db.Roles.CountAsync());
        }

        var project = Assert.Single((await owner.GetJsonAsync("/api/projects")).EnumerateArray());
        var projectId = project.GetProperty("id").GetInt32();
        Assert.Equal("Fixture song", project.GetProperty("name").GetString());
        Assert.Equal("Owner", project.GetProperty("role").GetString());

        var members = (await owner.GetJsonAsync($"/api/projects/{projectId}/members")).EnumerateArray()
            .Select(m => (m.GetProperty("userName").GetString(), m.GetProperty("role").GetString())).ToList();
        Assert.Equal([("fixture-owner", "Owner"), ("fixture-guest", "Editor")], members);

        var stems = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().ToList();
        Assert.Equal(["keys", "Generated bass"], stems.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(["Piano", "Bass"], stems.Select(s => s.GetProperty("category").GetString()));
        Assert.Equal(JsonValueKind.Null, stems[0].GetProperty("sourceJobId").ValueKind);
        foreach (var stem in stems)
        {
            // The audio is the fixture's blob, byte for byte (blobs are named by their SHA-256).
            var audio = await owner.Http.GetByteArrayAsync($"/api/projects/{projectId}/stems/{stem.GetProperty("id").GetInt32()}/download");
            Assert.Equal(stem.GetProperty("sizeBytes").GetInt64(), audio.Length);
            var hash = Convert.ToHexStringLower(SHA256.HashData(audio));
            Assert.True(File.Exists(Path.Combine(MigrationSchemaTests.FixtureFolder, "blobs", hash[..2], hash)), $"{hash} is not a fixture blob");
        }

        var job = Assert.Single((await owner.GetJsonAsync($"/api/projects/{projectId}/jobs")).EnumerateArray());
        var jobId = job.GetProperty("id").GetInt32();
        Assert.Equal(jobId, stems[1].GetProperty("sourceJobId").GetInt32());
        Assert.Equal("Succeeded", job.GetProperty("state").GetString());
        Assert.Equal("test tone generator (CPU)", job.GetProperty("device").GetString());
        var candidates = job.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(["Accepted", "Pending"], candidates.Select(c => c.GetProperty("status").GetString()));
        Assert.Equal(stems[1].GetProperty("id").GetInt32(), candidates[0].GetProperty("acceptedStemId").GetInt32());
        var pending = candidates[1].GetProperty("id").GetInt32();
        Assert.NotEmpty(await owner.Http.GetByteArrayAsync($"/api/projects/{projectId}/candidates/{pending}/audio"));

        // The page renders, and the studio writes to the old database: the pending candidate is accepted.
        Assert.Contains("Fixture song", await owner.Http.GetStringAsync($"/projects/{projectId}"));
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.PostAsJsonAsync($"/api/projects/{projectId}/candidates/{pending}/accept", new { name = "Second bass" })).StatusCode);
        Assert.Equal(3, (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).GetArrayLength());

        // The invited user still has the role the owner gave.
        var guest = await LogInAsync("fixture-guest", "guest2026");
        Assert.Equal("Editor", (await guest.GetJsonAsync($"/api/projects/{projectId}")).GetProperty("role").GetString());
    }
}
