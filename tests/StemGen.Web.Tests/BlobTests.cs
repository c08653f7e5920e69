using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Storage;

namespace StemGen.Web.Tests;

/// <summary>
/// Deleting blobs: the store's races with a put of the same content (one test per interleaving), and
/// the studio's sweep of blobs no row refers to, of temp and of staging files.
/// </summary>
public sealed class BlobTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "stemgen-web-tests", Guid.NewGuid().ToString("N"));
    private readonly StudioFactory factory = new();
    private static readonly DateTimeOffset LongAgo = DateTimeOffset.UtcNow.AddHours(-2);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
        try { Directory.Delete(folder, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    private static async Task<string> PutOldAsync(LocalFolderBlobStore store, byte[] content)
    {
        var hash = (await store.PutAsync(new MemoryStream(content))).Hash;
        File.SetLastWriteTimeUtc(store.LocalPath(hash)!, LongAgo.UtcDateTime);
        return hash;
    }

    [Fact]
    public async Task A_put_of_the_same_content_between_the_idle_check_and_the_delete_keeps_the_blob()
    {
        var store = new LocalFolderBlobStore(folder);
        var content = TestAudio.Wav(0.1);
        var hash = await PutOldAsync(store, content);
        StoredBlob? second = null;
        store.DeletePhase = phase => { if (phase == "checked") second = store.PutAsync(new MemoryStream(content)).GetAwaiter().GetResult(); };

        Assert.False(store.DeleteIfIdle(hash, DateTimeOffset.UtcNow.AddMinutes(-1)));
        Assert.False(second!.Created); // the put deduplicated onto the blob, and the blob stayed
        Assert.Equal(content, File.ReadAllBytes(store.LocalPath(hash)!));
    }

    [Fact]
    public async Task A_put_of_the_same_content_after_the_blob_was_taken_away_writes_it_anew()
    {
        var store = new LocalFolderBlobStore(folder);
        var content = TestAudio.Wav(0.1);
        var hash = await PutOldAsync(store, content);
        StoredBlob? second = null;
        store.DeletePhase = phase => { if (phase == "renamed") second = store.PutAsync(new MemoryStream(content)).GetAwaiter().GetResult(); };

        store.DeleteIfIdle(hash, DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.True(second!.Created);
        Assert.Equal(content, File.ReadAllBytes(store.LocalPath(hash)!));
        Assert.Single(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)); // no doomed copy left behind
    }

    [Fact]
    public async Task The_sweep_keeps_a_blob_an_upload_has_put_but_not_yet_recorded()
    {
        var store = (LocalFolderBlobStore)factory.Services.GetRequiredService<IBlobStore>();
        var content = TestAudio.Wav(0.1);
        var hash = await PutOldAsync(store, content); // nothing refers to it, and it is old
        await store.PutAsync(new MemoryStream(content)); // an upload deduplicates onto it; its row is not saved yet
        Assert.Equal(0, await SweepAsync());
        Assert.True(store.Exists(hash));

        File.SetLastWriteTimeUtc(store.LocalPath(hash)!, LongAgo.UtcDateTime); // the upload failed; an hour later
        Assert.Equal(1, await SweepAsync());
        Assert.False(store.Exists(hash));
    }

    [Fact]
    public async Task The_sweep_removes_unreferenced_blobs_and_stale_temp_and_staging_files_and_keeps_the_rest()
    {
        var owner = await factory.RegisterAsync("sweeper");
        var projectId = await owner.CreateProjectAsync("Sweep");
        Assert.Equal(HttpStatusCode.OK, (await owner.UploadAsync(projectId, ("kept.wav", TestAudio.Wav(0.2)), ("gone.wav", TestAudio.Wav(0.2, 330)))).StatusCode);
        var stems = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().ToList();
        var store = (LocalFolderBlobStore)factory.Services.GetRequiredService<IBlobStore>();
        foreach (var hash in store.List()) File.SetLastWriteTimeUtc(store.LocalPath(hash)!, LongAgo.UtcDateTime);
        var blobsBefore = store.List().ToHashSet();

        // Deleting a stem whose blob is old and used by nothing else removes the blob at once.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/projects/{projectId}/stems/{stems[1].GetProperty("id").GetInt32()}")).StatusCode);
        Assert.Single(store.List());
        Assert.Subset(blobsBefore, store.List().ToHashSet());

        var staleTemp = Path.Combine(store.Root, ".incoming-crashed");
        var freshTemp = Path.Combine(store.Root, ".incoming-live");
        var staging = Directory.CreateDirectory(Path.Combine(factory.DataDirectory, "staging")).FullName;
        var staleStaging = Path.Combine(staging, "crashed.part");
        foreach (var file in new[] { staleTemp, freshTemp, staleStaging }) File.WriteAllText(file, "x");
        File.SetLastWriteTimeUtc(staleTemp, LongAgo.UtcDateTime);
        File.SetLastWriteTimeUtc(staleStaging, LongAgo.UtcDateTime);
        var orphan = await PutOldAsync(store, TestAudio.Wav(0.3, 440));

        await factory.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<BlobSweeper>().Single().SweepAsync(CancellationToken.None);
        Assert.False(store.Exists(orphan));
        Assert.Single(store.List()); // the kept stem's blob
        Assert.False(File.Exists(staleTemp));
        Assert.True(File.Exists(freshTemp));
        Assert.False(File.Exists(staleStaging));
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/projects/{projectId}/stems/{stems[0].GetProperty("id").GetInt32()}/audio")).StatusCode);
    }

    private async Task<int> SweepAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BlobReferences>().SweepAsync();
    }
}
