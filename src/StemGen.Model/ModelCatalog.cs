namespace StemGen.Model;

/// <summary>One file of a downloadable model: its name in the hub repository (also its name on disk),
/// and its SHA-256 and size when we know them ahead of the download.</summary>
public sealed record CatalogFile(string Name, string? Sha256 = null, long? Bytes = null);

/// <summary>What a downloaded model is, so that it can be checked after the download.</summary>
public enum ModelKind
{
    /// <summary>An EnCodec codec in the Hugging Face layout: model.safetensors and config.json.</summary>
    HuggingFaceCodec,
}

/// <summary>A model `stemgen models fetch` can download: <see cref="HubPath"/> is relative to the hub's
/// base URL, and the files land in models/<see cref="Folder"/>/.</summary>
public sealed record CatalogModel(string Name, string Description, ModelKind Kind, string HubPath, string Folder, IReadOnlyList<CatalogFile> Files)
{
    /// <summary>The URL of <paramref name="file"/> under <paramref name="baseUrl"/> (a hub or a mirror of it).</summary>
    public Uri Url(Uri baseUrl, CatalogFile file) => new(baseUrl, HubPath + Uri.EscapeDataString(file.Name));

    /// <summary>Where the model's files are stored under a models folder.</summary>
    public string Directory(string modelsFolder) => Path.Combine(modelsFolder, Folder);
}

/// <summary>
/// The models that can be downloaded, by name. Hugging Face serves each file at
/// <c>{base}/{owner}/{repo}/resolve/{revision}/{file}</c>; a mirror with the same layout is chosen
/// with <c>--base-url</c> or <see cref="HubVariable"/>. No SHA-256 is pinned for the official
/// EnCodec files: the hub sends each LFS file's SHA-256 in its X-Linked-Etag / ETag header, and the
/// download is checked against that.
/// </summary>
public static class ModelCatalog
{
    public const string HubVariable = "STEMGEN_MODEL_HUB";
    public static Uri DefaultHub { get; } = new("https://huggingface.co/");

    public static IReadOnlyList<CatalogModel> Models { get; } =
    [
        new("encodec-32khz",
            "Official EnCodec 32 kHz (Meta, MusicGen's codec): 4 x 2048 codes at 50 frames/s, mono",
            ModelKind.HuggingFaceCodec, "facebook/encodec_32khz/resolve/main/", "encodec_32khz",
            [new CatalogFile("model.safetensors"), new CatalogFile("config.json")]),
    ];

    public static CatalogModel? Find(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The hub to use: <paramref name="explicitUrl"/>, else $STEMGEN_MODEL_HUB, else huggingface.co.
    /// A base without a trailing slash gets one, so relative paths append to it.</summary>
    public static Uri Hub(string? explicitUrl = null)
    {
        var text = !string.IsNullOrWhiteSpace(explicitUrl) ? explicitUrl
            : Environment.GetEnvironmentVariable(HubVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : DefaultHub.ToString();
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"not an http(s) URL: {text}");
        return uri;
    }
}
