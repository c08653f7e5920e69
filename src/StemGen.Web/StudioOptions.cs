namespace StemGen.Web;

/// <summary>
/// Where the studio keeps its data ("Studio" section). With no configuration everything lives under
/// ./data: the SQLite database, the blob folder and the upload staging folder.
/// </summary>
public sealed class StudioOptions
{
    public const string Section = "Studio";

    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// User names of existing accounts that are made admins at start-up. Nobody can register a name listed
    /// here; the first admin comes from the operator's command <c>StemGen.Web admin create NAME</c>.
    /// </summary>
    public string[] Admins { get; set; } = [];

    /// <summary>Who may create an account: Open (anyone), InviteOnly (with an invite link) or Closed (only the operator's command).</summary>
    public RegistrationMode Registration { get; set; } = RegistrationMode.Open;

    /// <summary>How often open pages (Blazor circuits) and sign-in cookies are checked against the account (roles, lock, password); default one minute.</summary>
    public double RevalidateSeconds { get; set; } = 60;

    /// <summary>Vendored npm bundles (wavesurfer.js), served under /vendor; default: the repository's top-level wwwroot.</summary>
    public string? VendorAssetsDirectory { get; set; }

    /// <summary>Imported datasets (`stemgen import` output folders) that listening studies may draw items from; default: datasets/ in the data folder.</summary>
    public string? DatasetsRoot { get; set; }

    /// <summary>A blob nothing refers to is deleted only when nobody has put it for this long (default 60 minutes), and the sweep's temp and staging files likewise.</summary>
    public double BlobGraceMinutes { get; set; } = 60;

    /// <summary>How often the background sweep looks for unreferenced blobs and stale temp files (default 60 minutes).</summary>
    public double SweepIntervalMinutes { get; set; } = 60;

    public string FullDatasetsRoot => Path.GetFullPath(DatasetsRoot ?? Path.Combine(FullDataDirectory, "datasets"));
    public string DatabasePath => Path.Combine(FullDataDirectory, "studio.db");
    public string BlobDirectory => Path.Combine(FullDataDirectory, "blobs");
    public string StagingDirectory => Path.Combine(FullDataDirectory, "staging");
    public string FullDataDirectory => Path.GetFullPath(DataDirectory);
}

public enum RegistrationMode { Open, InviteOnly, Closed }

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

    /// <summary>Sample rates the studio uses (default 8 to 192 kHz; the model works at 32 kHz): others are refused from the header.</summary>
    public int MinSampleRate { get; set; } = 8_000;
    public int MaxSampleRate { get; set; } = 192_000;

    /// <summary>Most channels per file (default 2: stems are mono or stereo); more are refused from the header.</summary>
    public int MaxChannels { get; set; } = 2;

    /// <summary>Largest request body (default 2 GB).</summary>
    public long MaxRequestBytes { get; set; } = 2L * 1024 * 1024 * 1024;
}
