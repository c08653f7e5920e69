using StemGen.Data;

namespace StemGen.Jobs;

/// <summary>
/// How a job runner reaches the studio, which owns the job rows, the audio and the pages. The studio's
/// own Hangfire server uses it in process; a GPU worker uses it over HTTP and SignalR with its key.
/// Every call may be repeated (Hangfire runs a job at least once): claiming a job that is still
/// Running is allowed (its worker died), and storing a candidate that exists is a no-op.
/// </summary>
public interface IStudioGateway
{
    /// <summary>The model the studio serves; null while it serves the configured default (each process's Generation:ModelCheckpointPath).</summary>
    Task<ServedModelRef?> ServedModelAsync(CancellationToken cancellationToken);

    /// <summary>A local path of the served model's file: the studio's own file in process, a checked download cached by its SHA-256 on a worker.</summary>
    Task<string> ModelFileAsync(ServedModelRef model, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the job Running on <paramref name="device"/> with <paramref name="model"/> and says what to generate; null when there is nothing
    /// to do (finished, cancelled, deleted, or refused with its reason written to the job).
    /// </summary>
    Task<JobTicket?> ClaimAsync(int jobId, string device, string model, CancellationToken cancellationToken);

    /// <summary>The stored file of a stem the job uses (context or the stem to regenerate).</summary>
    Task<Stream> OpenStemAsync(int jobId, int stemId, CancellationToken cancellationToken);

    /// <summary>Shows progress on every open page of the project; true when a user asked to cancel the job.</summary>
    Task<bool> ReportProgressAsync(JobProgressReport report, CancellationToken cancellationToken);

    /// <summary>Variation indexes already stored by an earlier attempt.</summary>
    Task<IReadOnlyList<int>> StoredCandidatesAsync(int jobId, CancellationToken cancellationToken);

    /// <summary>Stores variation <paramref name="index"/> (a WAV file); does nothing when it is already stored.</summary>
    Task StoreCandidateAsync(int jobId, int index, Stream wav, CancellationToken cancellationToken);

    Task FinishAsync(int jobId, JobOutcome outcome, CancellationToken cancellationToken);
}

/// <summary>What a claimed job asks for: the category, the settings and the stems to load.</summary>
public sealed record JobTicket(int JobId, int ProjectId, InstrumentCategory Category, GenerationParameters Parameters, IReadOnlyList<JobStem> Context, JobStem? Existing);

/// <summary>A stem a job reads; the file name's extension tells the decoder what the bytes are.</summary>
public sealed record JobStem(int StemId, string FileName);

/// <summary>The model the studio serves: its name on the models page and the SHA-256 and size of its file.</summary>
public sealed record ServedModelRef(string Name, string Sha256, long Bytes);

public sealed record JobProgressReport(int JobId, string Phase, int Level, int Step, double Percent, double? EtaSeconds);

public enum JobOutcomeKind { Succeeded, Failed, Cancelled }

/// <summary>How a job ended: <paramref name="Message"/> is what project members read; <paramref name="Detail"/> (a failure's whole exception) goes to the log and to admins only.</summary>
public sealed record JobOutcome(JobOutcomeKind Kind, string Message, string? Detail = null);
