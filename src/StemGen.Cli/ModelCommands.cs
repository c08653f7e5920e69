using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using StemGen.Model;
using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Cli;

/// <summary>
/// `stemgen models list|fetch`: the downloadable models of <see cref="ModelCatalog"/>, stored in
/// models/&lt;folder&gt;/ of the checkout (or --out DIR), fetched from huggingface.co or a mirror.
/// </summary>
internal static class ModelCommands
{
    /// <summary>Progress lines at most this often (plus one at the end of each file).</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var models = new Command("models", "Download official model files (the EnCodec 32 kHz codec) and list them.");
        models.Subcommands.Add(List());
        models.Subcommands.Add(Fetch());
        return models;
    }

    private static Option<string?> OutOption() => new("--out")
    {
        Description = "Models folder (default: models/ of the checkout); each model goes in a subfolder of it.",
    };

    private static Option<string?> BaseUrlOption() => new("--base-url")
    {
        Description = $"Hub to download from: huggingface.co or a mirror with its layout (default: ${ModelCatalog.HubVariable}, else {ModelCatalog.DefaultHub}).",
    };

    private static Command List()
    {
        var output = OutOption();
        var baseUrl = BaseUrlOption();
        var command = new Command("list", "Print the known models: files, sizes, where they are stored and whether they are there.");
        command.Options.Add(output);
        command.Options.Add(baseUrl);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            var folder = ModelsFolder(parseResult.GetValue(output));
            var hub = Hub(parseResult.GetValue(baseUrl));
            foreach (var model in ModelCatalog.Models)
            {
                var directory = model.Directory(folder);
                var present = model.Files.All(f => File.Exists(Path.Combine(directory, f.Name)));
                Console.WriteLine($"{model.Name}  {(present ? "present" : "not downloaded")}  {directory}");
                Console.WriteLine($"  {model.Description}");
                foreach (var file in model.Files)
                {
                    var path = Path.Combine(directory, file.Name);
                    var state = File.Exists(path) ? $"present, {Size(new FileInfo(path).Length)}"
                        : File.Exists(path + ".part") ? $"partial, {Size(new FileInfo(path + ".part").Length)} in {file.Name}.part"
                        : "missing";
                    var size = file.Bytes is { } bytes ? Size(bytes) : "size unknown";
                    var sha = file.Sha256 is null ? "sha256 from the hub's ETag" : $"sha256 {file.Sha256}";
                    Console.WriteLine($"  {file.Name,-20} {size,-14} {state,-22} {sha}  {model.Url(hub, file)}");
                }
            }
            return 0;
        }));
        return command;
    }

    private static Command Fetch()
    {
        var name = new Argument<string>("name") { Description = $"Model to download ({string.Join(", ", ModelCatalog.Models.Select(m => m.Name))})." };
        var output = OutOption();
        var baseUrl = BaseUrlOption();
        var force = new Option<bool>("--force") { Description = "Download files again even when they are already there." };
        var skipCheck = new Option<bool>("--skip-load-check") { Description = "Do not load the downloaded codec to check it." };
        var command = new Command("fetch", "Download a model's files (resumable, checksum-verified) and check that it loads.");
        command.Arguments.Add(name);
        command.Options.Add(output);
        command.Options.Add(baseUrl);
        command.Options.Add(force);
        command.Options.Add(skipCheck);
        command.SetAction((parseResult, cancellationToken) => CommandErrors.RunAsync(async () =>
        {
            var requested = parseResult.GetValue(name)!;
            var model = ModelCatalog.Find(requested)
                        ?? throw new UsageException($"unknown model '{requested}'; known models: {string.Join(", ", ModelCatalog.Models.Select(m => m.Name))}");
            var directory = model.Directory(ModelsFolder(parseResult.GetValue(output)));
            var hub = Hub(parseResult.GetValue(baseUrl));
            using var http = ModelDownloader.CreateClient(connectTimeout: TimeSpan.FromSeconds(15), headersTimeout: TimeSpan.FromSeconds(60));
            var downloader = new ModelDownloader(http, ProgressInterval, readTimeout: TimeSpan.FromSeconds(60));
            var progress = new SynchronousProgress<DownloadProgress>(p => Console.WriteLine($"  {p.File}: {Progress(p)}"));
            foreach (var file in model.Files)
            {
                var path = Path.Combine(directory, file.Name);
                var url = model.Url(hub, file);
                if (File.Exists(path) && !parseResult.GetValue(force))
                {
                    Console.WriteLine($"{file.Name}: already there ({path}); --force downloads it again");
                    continue;
                }
                Console.WriteLine($"{file.Name}: GET {url}");
                DownloadResult result;
                try
                {
                    result = await downloader.DownloadAsync(url, path, file.Sha256, progress, Console.WriteLine, cancellationToken);
                }
                catch (ModelDownloadException e) when (model.Files.Count > 1)
                {
                    var others = model.Files.Where(f => f != file).Select(f => $"{f.Name} from {model.Url(hub, f)}");
                    throw new ModelDownloadException($"{e.Message}; beside it in the same folder: {string.Join(", ", others)}", e);
                }
                var verified = result.VerifiedAgainst is null
                    ? "unverified: no SHA-256 known for it (neither in the catalogue nor from the server)"
                    : $"verified against {result.VerifiedAgainst}";
                Console.WriteLine($"{file.Name}: {Size(result.Bytes)}, sha256 {result.Sha256}, {verified} -> {path}");
            }
            if (model.Kind == ModelKind.HuggingFaceCodec && !parseResult.GetValue(skipCheck)) CheckCodec(directory);
            Console.WriteLine($"{model.Name} is in {directory}");
            if (model.Kind == ModelKind.HuggingFaceCodec)
            {
                var weights = Path.Combine(directory, "model.safetensors");
                Console.WriteLine($"use it with --codec {weights} (studio: Generation:CodecWeightsPath); a model trains on tokens of this codec: " +
                                  $"stemgen tokens build --data <import> --codec {weights}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Loads the downloaded codec with its config.json, as `--codec` would; libtorch missing only skips the check.</summary>
    private static void CheckCodec(string directory)
    {
        var weights = Path.Combine(directory, "model.safetensors");
        var configPath = Path.Combine(directory, "config.json");
        CodecConfig config;
        try
        {
            config = File.Exists(configPath) ? CodecConfig.FromHuggingFaceJson(File.ReadAllText(configPath)) : CodecConfig.Official32k;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"{configPath}: not an EnCodec config.json ({e.Message})");
        }
        try
        {
            using var codec = EncodecModel.Load(weights, config);
            Console.WriteLine($"codec loads: {codec.Config.Describe()}, {codec.ParameterCount:N0} parameters, identity {codec.ComputeIdentity()}");
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            Console.WriteLine($"codec not loaded to check it: libtorch is not available here ({e.Message})");
        }
        catch (Exception e) when (e is CodecWeightsException or SafeTensorsFormatException)
        {
            throw new InvalidDataException($"{weights} was downloaded but does not load as an EnCodec codec: {e.Message}", e);
        }
    }

    private static string ModelsFolder(string? explicitFolder) =>
        !string.IsNullOrWhiteSpace(explicitFolder) ? Path.GetFullPath(explicitFolder)
        : ShippedModels.ModelsFolder() ?? throw new UsageException(
            $"no repository checkout found above {AppContext.BaseDirectory} (looked for {ShippedModels.SolutionFileName}): pass --out DIR");

    private static Uri Hub(string? explicitUrl)
    {
        try
        {
            return ModelCatalog.Hub(explicitUrl);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--base-url / ${ModelCatalog.HubVariable}: {e.Message}");
        }
    }

    private static string Progress(DownloadProgress p) =>
        (p.Total is { } total and > 0 ? $"{Size(p.Bytes)} of {Size(total)} ({100.0 * p.Bytes / total:0} %)" : Size(p.Bytes))
        + $", {Size((long)p.BytesPerSecond)}/s";

    private static string Size(long bytes) => bytes switch
    {
        < 1 << 10 => $"{bytes} B",
        < 1 << 20 => (bytes / 1024.0).ToString("0.0 'KB'", CultureInfo.InvariantCulture),
        < 1 << 30 => (bytes / 1048576.0).ToString("0.0 'MB'", CultureInfo.InvariantCulture),
        _ => (bytes / 1073741824.0).ToString("0.00 'GB'", CultureInfo.InvariantCulture),
    };

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
