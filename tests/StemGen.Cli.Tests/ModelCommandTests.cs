using StemGen.Model;
using StemGen.Model.Codec;

namespace StemGen.Cli.Tests;

/// <summary>`stemgen models fetch|list` against a loopback hub (<see cref="HubServer"/>); never an outside host.</summary>
public sealed class ModelCommandTests : IDisposable
{
    private const string Hub = "facebook/encodec_32khz/resolve/main/";
    private readonly HubServer server = new();
    private readonly string models = Directory.CreateTempSubdirectory("stemgen-models-").FullName;
    private readonly byte[] weights = RandomBytes(300_000, seed: 1);
    private readonly byte[] config = "{\"model_type\": \"encodec\"}"u8.ToArray();

    public ModelCommandTests()
    {
        server.Files[Hub + "model.safetensors"] = weights;
        server.Files[Hub + "config.json"] = config;
    }

    private string Folder => Path.Combine(models, "encodec_32khz");
    private string Weights => Path.Combine(Folder, "model.safetensors");

    private Task<(int Code, string Out, string Err)> Fetch(params string[] more) =>
        Cli.Run(["models", "fetch", "encodec-32khz", "--out", models, "--base-url", server.BaseUrl.ToString(), "--skip-load-check", .. more]);

    [Fact]
    public async Task Fetch_downloads_both_files_and_verifies_them_against_the_etag_sha256()
    {
        var (code, stdout, stderr) = await Fetch();
        Assert.True(code == 0, stderr);
        Assert.Equal(weights, File.ReadAllBytes(Weights));
        Assert.Equal(config, File.ReadAllBytes(Path.Combine(Folder, "config.json")));
        Assert.Contains($"sha256 {HubServer.Sha256(weights)}, verified against the SHA-256 the server announced", stdout);
        Assert.Empty(Directory.GetFiles(Folder, "*.part"));
    }

    [Fact]
    public async Task Fetch_follows_the_hub_redirect_and_verifies_against_x_linked_etag()
    {
        server.RedirectLikeHub = true;
        var (code, stdout, stderr) = await Fetch();
        Assert.True(code == 0, stderr);
        Assert.Equal(weights, File.ReadAllBytes(Weights));
        Assert.Contains($"sha256 {HubServer.Sha256(weights)}, verified against the SHA-256 the server announced", stdout);
        Assert.Contains("cdn/" + Hub + "model.safetensors", server.Requests);
    }

    [Fact]
    public async Task Fetch_resumes_a_partial_download_with_a_range_request()
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllBytes(Weights + ".part", weights[..100_000]);
        var (code, stdout, stderr) = await Fetch();
        Assert.True(code == 0, stderr);
        Assert.Contains(Hub + "model.safetensors Range: bytes=100000-", server.Requests);
        Assert.Contains("resuming at byte 100000", stdout);
        Assert.Equal(weights, File.ReadAllBytes(Weights));
        Assert.False(File.Exists(Weights + ".part"));
    }

    [Fact]
    public async Task Fetch_restarts_cleanly_when_the_server_ignores_the_range()
    {
        server.SupportsRange = false;
        Directory.CreateDirectory(Folder);
        File.WriteAllBytes(Weights + ".part", RandomBytes(100_000, seed: 2)); // not even the right bytes: all must be replaced
        var (code, stdout, stderr) = await Fetch();
        Assert.True(code == 0, stderr);
        Assert.Contains("does not resume downloads", stdout);
        Assert.Equal(weights, File.ReadAllBytes(Weights));
    }

    [Fact]
    public async Task Fetch_refuses_a_file_whose_sha256_does_not_match_and_leaves_nothing()
    {
        server.ETag = _ => $"\"{HubServer.Sha256([1, 2, 3])}\"";
        var (code, _, stderr) = await Fetch();
        Assert.Equal(1, code);
        Assert.Contains("checksum mismatch", stderr);
        Assert.False(File.Exists(Weights));
        Assert.False(File.Exists(Weights + ".part"));
    }

    [Fact]
    public async Task Fetch_says_unverified_when_no_sha256_is_known()
    {
        // As the hub's ETag of a file outside LFS (config.json): a git blob id, not a SHA-256.
        server.ETag = _ => "\"0123456789abcdef0123456789abcdef01234567\"";
        var (code, stdout, stderr) = await Fetch();
        Assert.True(code == 0, stderr);
        Assert.Contains("model.safetensors: 293.0 KB, sha256 " + HubServer.Sha256(weights) + ", unverified: no SHA-256 known", stdout);
        Assert.Equal(weights, File.ReadAllBytes(Weights));
    }

    [Fact]
    public async Task Fetch_from_a_closed_port_fails_clearly_naming_the_url_and_leaves_nothing()
    {
        var closed = $"http://127.0.0.1:{HubServer.FreePort()}/";
        var (code, _, stderr) = await Cli.Run("models", "fetch", "encodec-32khz", "--out", models, "--base-url", closed, "--skip-load-check");
        Assert.Equal(1, code);
        Assert.Contains("connection refused", stderr);
        Assert.Contains($"{closed}{Hub}", stderr);
        Assert.Contains("To get the file by hand", stderr);
        Assert.Contains($"beside it in the same folder: config.json from {closed}{Hub}config.json", stderr);
        Assert.False(File.Exists(Weights));
        Assert.False(File.Exists(Path.Combine(Folder, "config.json")));
    }

    [Fact]
    public async Task Fetch_of_an_unknown_model_lists_the_known_ones()
    {
        var (code, _, stderr) = await Cli.Run("models", "fetch", "no-such-model", "--out", models, "--base-url", server.BaseUrl.ToString());
        Assert.Equal(1, code);
        Assert.Contains("unknown model 'no-such-model'; known models: encodec-32khz", stderr);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Fetch_prints_a_final_progress_line_with_bytes_percent_and_rate()
    {
        var (code, stdout, stderr) = await Fetch();
        Assert.True(code == 0, stderr);
        Assert.Matches(@"model\.safetensors: 293\.0 KB of 293\.0 KB \(100 %\), [0-9.]+ [KMG]?B/s", stdout);
    }

    [Fact]
    public async Task Downloader_reports_progress_at_most_once_per_interval_and_in_order()
    {
        server.ChunkBytes = 20_000;
        server.ChunkDelay = TimeSpan.FromMilliseconds(40); // 15 chunks: ~0.6 s
        var reports = new List<DownloadProgress>();
        using var http = ModelDownloader.CreateClient(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        var downloader = new ModelDownloader(http, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        var result = await downloader.DownloadAsync(new Uri(server.BaseUrl, Hub + "model.safetensors"), Weights, null,
                                                   new ListProgress(reports), null, CancellationToken.None);
        Assert.Equal(weights.Length, result.Bytes);
        Assert.InRange(reports.Count, 2, 6); // a few during, one at the end
        Assert.Equal(reports.Select(r => r.Bytes).Order(), reports.Select(r => r.Bytes));
        Assert.All(reports, r => Assert.Equal(weights.Length, r.Total));
        Assert.Equal(weights.Length, reports[^1].Bytes);
    }

    [Fact]
    public async Task Fetch_loads_the_downloaded_codec_with_its_config_json()
    {
        var codecFile = Path.Combine(models, "tiny.safetensors");
        using (var codec = new EncodecModel(CodecConfig.Tiny)) codec.Save(codecFile);
        server.Files[Hub + "model.safetensors"] = File.ReadAllBytes(codecFile);
        server.Files[Hub + "config.json"] = """{"sampling_rate": 32000, "num_filters": 16, "num_lstm_layers": 1, "upsampling_ratios": [8, 5, 4, 4]}"""u8.ToArray();
        var (code, stdout, stderr) = await Cli.Run("models", "fetch", "encodec-32khz", "--out", models, "--base-url", server.BaseUrl.ToString());
        Assert.True(code == 0, stderr);
        Assert.Contains("codec loads: 16 filters", stdout);
        Assert.Contains($"--codec {Weights}", stdout);
    }

    [Fact]
    public async Task Fetch_fails_when_the_downloaded_file_does_not_load_as_a_codec()
    {
        var (code, _, stderr) = await Cli.Run("models", "fetch", "encodec-32khz", "--out", models, "--base-url", server.BaseUrl.ToString());
        Assert.Equal(1, code);
        Assert.Contains("was downloaded but does not load as an EnCodec codec", stderr);
    }

    [Fact]
    public async Task List_shows_each_file_with_its_place_and_whether_it_is_there()
    {
        var (code, stdout, _) = await Cli.Run("models", "list", "--out", models, "--base-url", server.BaseUrl.ToString());
        Assert.Equal(0, code);
        Assert.Contains($"encodec-32khz  not downloaded  {Folder}", stdout);
        Assert.Contains($"{server.BaseUrl}{Hub}model.safetensors", stdout);
        await Fetch();
        (code, stdout, _) = await Cli.Run("models", "list", "--out", models, "--base-url", server.BaseUrl.ToString());
        Assert.Equal(0, code);
        Assert.Contains($"encodec-32khz  present  {Folder}", stdout);
        Assert.Contains("present, 293.0 KB", stdout);
    }

    [Fact]
    public void Catalogue_urls_are_the_hugging_face_resolve_urls()
    {
        var model = ModelCatalog.Find("encodec-32khz")!;
        Assert.Equal("https://huggingface.co/facebook/encodec_32khz/resolve/main/model.safetensors",
                     model.Url(ModelCatalog.DefaultHub, model.Files.Single(f => f.Name == "model.safetensors")).ToString());
        Assert.Equal(new Uri("http://mirror.local/hub/facebook/encodec_32khz/resolve/main/config.json"),
                     model.Url(ModelCatalog.Hub("http://mirror.local/hub"), model.Files.Single(f => f.Name == "config.json")));
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed class ListProgress(List<DownloadProgress> reports) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => reports.Add(value);
    }

    public void Dispose()
    {
        server.Dispose();
        Directory.Delete(models, recursive: true);
    }
}
