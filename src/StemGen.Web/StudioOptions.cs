namespace StemGen.Web;

/// <summary>
/// Where the studio keeps its data ("Studio" section). With no configuration everything lives under
/// ./data: the SQLite database, the blob folder and the upload staging folder.
/// </summary>
public sealed class StudioOptions
{
    public const string Section = "Studio";

    public string DataDirectory { get; set; } = "data";

    /// <summary>User names that are made admins (at start-up and when they register): how a studio gets its first admin.</summary>
    public string[] Admins { get; set; } = [];

    /// <summary>Vendored npm bundles (wavesurfer.js), served under /vendor; default: the repository's top-level wwwroot.</summary>
    public string? VendorAssetsDirectory { get; set; }

    /// <summary>Imported datasets (`stemgen import` output folders) that listening studies may draw items from; default: datasets/ in the data folder.</summary>
    public string? DatasetsRoot { get; set; }

    public string FullDatasetsRoot => Path.GetFullPath(DatasetsRoot ?? Path.Combine(FullDataDirectory, "datasets"));
    public string DatabasePath => Path.Combine(FullDataDirectory, "studio.db");
    public string BlobDirectory => Path.Combine(FullDataDirectory, "blobs");
    public string StagingDirectory => Path.Combine(FullDataDirectory, "staging");
    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}

/// <summary>Limits on uploads ("Uploads" section): every upload is checked against them while it streams.</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>Largest accepted file (default 300 MB).</summary>
    public long MaxFileBytes { get; set; } = 300L * 1024 * 1024;

    /// <summary>Most files in one upload request (default 32).</summary>
    public int MaxFiles { get; set; } = 32;

    /// <summary>Longest accepted audio per file (default 20 minutes).</summary>
    public double MaxDurationSeconds { get; set; } = 20 * 60;

    /// <summary>Largest request body (default 2 GB).</summary>
    public long MaxRequestBytes { get; set; } = 2L * 1024 * 1024 * 1024;
}
