using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StemGen.Web.Data;

namespace StemGen.Web.Tests;

/// <remarks>Runs on SQLite and on PostgreSQL (the nested <see cref="Sqlite"/> and <see cref="Postgres"/> classes).</remarks>
public abstract class UploadTests(TestDatabase database) : IAsyncLifetime
{
    private readonly StudioFactory factory = new(database: database);
    private StudioClient owner = null!;
    private int projectId;

    public async Task InitializeAsync()
    {
        owner = await factory.RegisterAsync("uploader");
        projectId = await owner.CreateProjectAsync("Uploads");
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        factory.DeleteData();
    }

    private string BlobFolder => Path.Combine(factory.DataDirectory, "blobs");
    private string StagingFolder => Path.Combine(factory.DataDirectory, "staging");

    private int FilesIn(string folder) => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count() : 0;

    private async Task<int> StemCountAsync()
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<StudioDbContext>().Stems.CountAsync();
    }

    [Fact]
    public async Task Uploads_several_files_with_suggested_categories_peaks_and_playback()
    {
        var bass = TestAudio.Wav(1.0, 110);
        var drums = TestAudio.Wav(2.0, 440, sampleRate: 22050, channels: 2);
        var response = await owner.UploadAsync(projectId, ("Bass_DI.wav", bass), ("drums loop.wav", drums));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        var stems = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().ToList();
        Assert.Equal(2, stems.Count);
        Assert.Equal("Bass_DI", stems[0].GetProperty("name").GetString());
        Assert.Equal("Bass", stems[0].GetProperty("category").GetString());
        Assert.Equal(1.0, stems[0].GetProperty("durationSeconds").GetDouble(), 3);
        Assert.Equal(16000, stems[0].GetProperty("sampleRate").GetInt32());
        Assert.Equal("Drums", stems[1].GetProperty("category").GetString());
        Assert.Equal(2.0, stems[1].GetProperty("durationSeconds").GetDouble(), 3);
        Assert.Equal(2, stems[1].GetProperty("channels").GetInt32());
        var bassId = stems[0].GetProperty("id").GetInt32();

        // Content-addressed: the blob is named by the SHA-256 of the bytes.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bass));
        Assert.True(File.Exists(Path.Combine(BlobFolder, hash[..2], hash)));
        Assert.Equal(0, FilesIn(StagingFolder));

        var peaks = await owner.GetJsonAsync($"/api/projects/{projectId}/stems/{bassId}/peaks");
        var values = peaks.GetProperty("peaks")[0].EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.InRange(values.Max(), 0.35, 0.45); // the sine's amplitude is 0.4

        var category = await owner.Http.PatchAsync($"/api/projects/{projectId}/stems/{bassId}",
            System.Net.Http.Json.JsonContent.Create(new { category = "SynthLead" }, options: StudioClient.Json));
        Assert.Equal(HttpStatusCode.NoContent, category.StatusCode);
        Assert.Equal("SynthLead", (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().First().GetProperty("category").GetString());

        // Range requests for the browser's audio element.
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{projectId}/stems/{bassId}/audio");
        request.Headers.Range = new RangeHeaderValue(100, 199);
        var partial = await owner.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bass[100..200], await partial.Content.ReadAsByteArrayAsync());

        var download = await owner.Http.GetAsync($"/api/projects/{projectId}/stems/{bassId}/download");
        Assert.Equal(bass, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("Bass_DI.wav", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

        var zipBytes = await owner.Http.GetByteArrayAsync($"/api/projects/{projectId}/download");
        using var zip = new ZipArchive(new MemoryStream(zipBytes));
        Assert.Equal(["Bass_DI.wav", "drums loop.wav"], zip.Entries.Select(e => e.FullName).Order().ToArray());
        using var entry = new MemoryStream();
        await zip.GetEntry("drums loop.wav")!.Open().CopyToAsync(entry);
        Assert.Equal(drums, entry.ToArray());
    }

    [Theory]
    [InlineData(".flac", "FLAC", "audio/flac")]
    [InlineData(".ogg", "OGG", "audio/ogg")]
    [InlineData(".mp3", "MP3", "audio/mpeg")]
    public async Task Compressed_formats_are_accepted(string extension, string format, string contentType)
    {
        var content = TestAudio.Wav(1.0, 330, sampleRate: 44100, extension: extension);
        var response = await owner.UploadAsync(projectId, ("Piano" + extension, content));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var stem = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems"))[0];
        Assert.Equal(format, stem.GetProperty("format").GetString());
        Assert.Equal("Piano", stem.GetProperty("category").GetString());
        Assert.Equal(1.0, stem.GetProperty("durationSeconds").GetDouble(), 1);
        var download = await owner.Http.GetAsync($"/api/projects/{projectId}/stems/{stem.GetProperty("id").GetInt32()}/download");
        Assert.Equal(contentType, download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Same_content_twice_keeps_one_blob()
    {
        var audio = TestAudio.Wav(0.5);
        Assert.Equal(HttpStatusCode.OK, (await owner.UploadAsync(projectId, ("a.wav", audio))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.UploadAsync(projectId, ("b.wav", audio))).StatusCode);
        Assert.Equal(2, await StemCountAsync());
        Assert.Equal(1, FilesIn(BlobFolder));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "notes.txt", "unsupported-type" },
        { "corrupt.wav", "corrupt" },
        { "fake.wav", "corrupt" },
        { "empty.wav", "empty" },
        { "long.wav", "too-long" },
        { "big.wav", "too-big" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Bad_files_are_refused_with_a_reason_and_nothing_is_kept(string name, string reason)
    {
        byte[] content = name switch
        {
            "notes.txt" => "hello"u8.ToArray(),
            "corrupt.wav" => TestAudio.CorruptWav(),
            "fake.wav" => Enumerable.Range(0, 4000).Select(i => (byte)(i * 7)).ToArray(),
            "empty.wav" => [],
            "long.wav" => TestAudio.Wav(StudioFactory.MaxDurationSeconds + 1, sampleRate: 8000),
            "big.wav" => TestAudio.Wav(StudioFactory.MaxDurationSeconds - 1, sampleRate: 192000, channels: 2),
            _ => throw new ArgumentException(name),
        };
        // A good file in the same request is not kept either: an upload is all or nothing.
        var response = await owner.UploadAsync(projectId, ("good.wav", TestAudio.Wav(0.5)), (name, content));
        Assert.Equal(reason == "too-big" ? HttpStatusCode.RequestEntityTooLarge : HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var refusal = Assert.Single(body.GetProperty("refusals").EnumerateArray());
        Assert.Equal(name, refusal.GetProperty("file").GetString());
        Assert.Equal(reason, refusal.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrWhiteSpace(refusal.GetProperty("message").GetString()));

        Assert.Equal(0, await StemCountAsync());
        Assert.Equal(0, FilesIn(BlobFolder));
        Assert.Equal(0, FilesIn(StagingFolder));
    }

    [Fact]
    public async Task Too_many_files_are_refused()
    {
        var files = Enumerable.Range(0, StudioFactory.MaxFiles + 1).Select(i => ($"take{i}.wav", TestAudio.Wav(0.2, 200 + i))).ToArray();
        var response = await owner.UploadAsync(projectId, files);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("too-many-files", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await StemCountAsync());
        Assert.Equal(0, FilesIn(BlobFolder));
        Assert.Equal(0, FilesIn(StagingFolder));
    }

    [Fact]
    public async Task Malicious_file_names_are_only_text()
    {
        var names = new[] { "../../../../tmp/evil.wav", "..\\..\\windows\\bass.wav", "/etc/passwd.wav" };
        var response = await owner.UploadAsync(projectId, names.Select((n, i) => (n, TestAudio.Wav(0.3, 300 + 50 * i))).ToArray());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stems = (await owner.GetJsonAsync($"/api/projects/{projectId}/stems")).EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Equal(["evil", "bass", "passwd"], stems);
        Assert.False(File.Exists("/tmp/evil.wav"));
        // Everything the upload wrote is inside the blob folder, under hash names (keys/ holds the data-protection keys).
        Assert.All(Directory.EnumerateFiles(factory.DataDirectory, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith("studio.db") && !Path.GetFileName(f).StartsWith("hangfire.db"))
                .Where(f => Path.GetDirectoryName(f) != Path.Combine(factory.DataDirectory, "keys")),
            f => Assert.Matches("^[0-9a-f]{64}$", Path.GetFileName(f)));
    }

    [Fact]
    public async Task Not_multipart_is_refused()
    {
        var response = await owner.Http.PostAsync($"/api/projects/{projectId}/stems", new ByteArrayContent(TestAudio.Wav(0.2)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not-multipart", await response.Content.ReadAsStringAsync());
    }

    public sealed class Sqlite() : UploadTests(TestDatabase.Sqlite);

    [Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
    [Collection(PostgresServer.Collection)]
    public sealed class Postgres(PostgresServer server) : UploadTests(server.NewDatabase());
}
