namespace StemGen.Web.Data;

public enum DatasetTaskKind
{
    /// <summary>`stemgen import`: a Slakh-format folder into segments and a manifest.</summary>
    Import = 0,
    /// <summary>`stemgen synth-dataset`: render a synthetic Slakh-format dataset.</summary>
    Synthesize = 1,
    /// <summary>`stemgen tokens build`: encode an import's stems and submixes with a codec.</summary>
    TokenCache = 2,
}

/// <summary>
/// One dataset job an admin started on the datasets page (import, synthetic render, token cache), run
/// by Hangfire on the studio's CPU queue. Paths are relative to <see cref="StudioOptions.DatasetsRoot"/>.
/// </summary>
public sealed class DatasetTask : ITaskRow
{
    public const int MaxPathLength = 1000;

    public int Id { get; set; }
    public DatasetTaskKind Kind { get; set; }
    /// <summary>What is read: the Slakh folder (import), the import folder (token cache); null for a render.</summary>
    public string? Source { get; set; }
    /// <summary>What is written: the import or render folder; the token cache folder for a token cache.</summary>
    public required string Output { get; set; }
    /// <summary>The job's settings as shown on the page (e.g. "0.05 h, seed 3, listening").</summary>
    public required string Settings { get; set; }
    /// <summary>The settings the job runs with (JSON of the request).</summary>
    public required string Request { get; set; }
    public TaskState State { get; set; }
    public double ProgressPercent { get; set; }
    double ITaskRow.Percent { get => ProgressPercent; set => ProgressPercent = value; }
    public string? Phase { get; set; }
    /// <summary>What came out ("3 tracks, 0.05 h") or why it failed.</summary>
    public string? Result { get; set; }
    public string? Error { get; set; }
    public bool CancelRequested { get; set; }
    public string? HangfireJobId { get; set; }
    public required string CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
