using System.ComponentModel;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using StemGen.Audio;
using StemGen.Model.Generation;

namespace StemGen.Jobs;

/// <summary>
/// The generation job as Hangfire runs it, in the studio or on a GPU worker: claim the job, load the
/// context stems, generate with progress (which also carries cancel requests back), store each
/// variation, finish. Requests that cannot succeed (silence, missing stems, a model that does not
/// load) end the job at once with their reason; lost connections to the studio are retried by Hangfire
/// (<see cref="MaxAttempts"/> in all), and the last attempt writes its reason to the job.
/// </summary>
public sealed class GenerationJobRunner(IStudioGateway studio, GeneratorHost generator, WorkerIdentity worker, ILogger<GenerationJobRunner> logger)
{
    public const int MaxAttempts = 3;

    /// <summary>A job's model while the studio serves none: each process's Generation:ModelCheckpointPath.</summary>
    public const string ConfiguredModel = "configured model";

    /// <summary>Progress reaches the studio at most this often (and at least once a second, so a cancel is seen quickly).</summary>
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(100);

    [DisplayName("Generate (job {0})")]
    [AutomaticRetry(Attempts = MaxAttempts - 1, DelaysInSeconds = [2, 10], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(int jobId, PerformContext? context, CancellationToken cancellationToken)
    {
        var lastAttempt = (context?.GetJobParameter<int>("RetryCount") ?? 0) >= MaxAttempts - 1;
        // The model served now: a switch (or rollback) in the studio reaches every worker with its next job.
        var served = await studio.ServedModelAsync(cancellationToken);
        var modelName = served?.Name ?? ConfiguredModel;
        IStemGenerator model;
        try { model = await generator.GetAsync(studio, served, cancellationToken); }
        catch (Exception e) when (e is not OperationCanceledException && (!IsTransient(e) || lastAttempt)) // a lost connection is tried again
        {
            if (await studio.ClaimAsync(jobId, $"unavailable on {worker.Name}", modelName, cancellationToken) is not null)
                await studio.FinishAsync(jobId, new JobOutcome(JobOutcomeKind.Failed, $"generation is unavailable: {e.Message}"), cancellationToken);
            return;
        }
        if (await studio.ClaimAsync(jobId, $"{model.Device} on {worker.Name}", modelName, cancellationToken) is not { } ticket) return;

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var progress = new ProgressPump(studio, jobId, cancel);
        var pumping = progress.RunAsync(cancellationToken);
        try
        {
            progress.Set("loading the context", 0, 0, 0, null);
            var contextAudio = new List<AudioBuffer>();
            foreach (var stem in ticket.Context) contextAudio.Add(await ReadAsync(jobId, stem, contextAudio.FirstOrDefault()?.SampleRate, model.MaxContextSeconds, cancel.Token));
            var request = new GenerationRequest
            {
                Context = contextAudio, Category = ticket.Category, Sampling = ticket.Parameters.ToSamplingOptions(), Variations = ticket.Parameters.Variations,
                Region = ticket.Parameters.RegionStart is { } from && ticket.Parameters.RegionEnd is { } to ? new TimeRegion(from, to) : null,
                ExistingStem = ticket.Existing is { } existing
                    // The stem to regenerate at the context's exact length (job creation allows it to be shorter).
                    ? StemGenerator.FitLength(await ReadAsync(jobId, existing, contextAudio[0].SampleRate, model.MaxContextSeconds, cancel.Token), contextAudio.Max(c => c.Frames)) : null,
            };
            progress.Set("generating", 0, 0, 0, null);
            var result = await Task.Run(() => model.Generate(request, progress, cancel.Token), cancel.Token);

            var stored = await studio.StoredCandidatesAsync(jobId, cancellationToken);
            for (var index = 0; index < result.Stems.Count; index++)
            {
                if (stored.Contains(index)) continue; // written by an earlier attempt
                var temp = Path.Combine(Path.GetTempPath(), $"stemgen-{jobId}-{index}-{Guid.NewGuid():N}.wav");
                try
                {
                    AudioFile.Write(temp, StoredLevel(result.Stems[index].Audio, contextAudio, request.ExistingStem is not null, jobId, index));
                    await using var wav = File.OpenRead(temp);
                    await studio.StoreCandidateAsync(jobId, index, wav, cancellationToken);
                }
                finally { File.Delete(temp); }
            }
            await progress.StopAsync(pumping);
            await studio.FinishAsync(jobId, new JobOutcome(JobOutcomeKind.Succeeded,
                $"done: {result.Stems.Count} candidate(s) in {result.Elapsed.TotalSeconds:0.0} s on {worker.Name}"), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server is stopping: Hangfire runs it again later. (A job deleted in the dashboard stops here too; the studio's watchdog closes its row.)
            logger.LogInformation("job {JobId} interrupted on {Worker}; it runs again", jobId, worker.Name);
            throw;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // A user asked (the studio's answer to a progress report); an HTTP time-out is not this and is retried below.
            await progress.StopAsync(pumping);
            await studio.FinishAsync(jobId, new JobOutcome(JobOutcomeKind.Cancelled, "cancelled"), CancellationToken.None);
        }
        catch (Exception e) when (!IsTransient(e) || lastAttempt)
        {
            logger.LogWarning(e, "job {JobId} failed on {Worker}", jobId, worker.Name);
            await progress.StopAsync(pumping);
            await studio.FinishAsync(jobId, GenerationErrors.Failed(e, worker.Name), CancellationToken.None);
            if (IsTransient(e)) throw; // Hangfire shows the last attempt as failed too
        }
        finally
        {
            await progress.StopAsync(pumping);
        }
    }

    /// <summary>
    /// The level a candidate is stored at: loudness-matched to its context (<see cref="LoudnessMatch"/>: the context
    /// mix's integrated loudness minus 6 LU, true peak at most -1 dBTP), here so the studio's own server and remote
    /// workers store the same. A regenerated region of an existing stem (inpainting) keeps the model's level: the kept
    /// part is the user's stem at the user's level, and a gain on the whole would change it. A silent stem or context is
    /// stored as it is.
    /// </summary>
    private AudioBuffer StoredLevel(AudioBuffer stem, IReadOnlyList<AudioBuffer> context, bool inpainting, int jobId, int index)
    {
        if (inpainting) return stem;
        var matched = LoudnessMatch.Apply(stem, context);
        logger.LogInformation("job {JobId} variation {Index}: {StemLufs:0.0} LUFS over a {ContextLufs:0.0} LUFS context, gain {Gain}",
            jobId, index, matched.StemLufs, matched.ContextLufs, matched.GainDb is { } g ? $"{g:+0.0;-0.0} dB" : "none (silence)");
        return matched.Audio;
    }

    /// <summary>Connection trouble with the studio, worth another attempt; anything else fails the same way again.</summary>
    internal static bool IsTransient(Exception e) => e switch
    {
        // The studio answered and refused (400, 404...): asking again gives the same answer.
        HttpRequestException { StatusCode: { } status } => (int)status >= 500 || status is System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests,
        HttpRequestException or SocketException or IOException or TimeoutException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    /// <summary>
    /// A context stem within the generator's limits (<see cref="ContextAudio"/>): spooled to a temp file (the decoder
    /// seeks, a network stream cannot; a file keeps memory flat), checked from its header, decoded in blocks to <paramref name="rate"/>.
    /// </summary>
    private async Task<AudioBuffer> ReadAsync(int jobId, JobStem stem, int? rate, double maxSeconds, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"stemgen-context-{jobId}-{stem.StemId}-{Guid.NewGuid():N}");
        try
        {
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            await using (var content = await studio.OpenStemAsync(jobId, stem.StemId, cancellationToken))
                await content.CopyToAsync(file, cancellationToken);
            file.Position = 0;
            return await Task.Run(() => ContextAudio.Read(file, stem.FileName, rate, maxSeconds), cancellationToken);
        }
        finally { File.Delete(temp); } // DeleteOnClose already did, unless the file was never opened
    }

    /// <summary>
    /// Takes the generator's progress on its thread and sends the latest to the studio from one loop:
    /// at most every <see cref="ReportInterval"/>, at least every second, and the last report of each
    /// phase and level always (so a page sees every level, however quick). The studio's answer says
    /// whether a user asked to cancel; then the generator stops at its next step.
    /// </summary>
    private sealed class ProgressPump(IStudioGateway studio, int jobId, CancellationTokenSource cancel) : IProgress<GenerationProgress>, IDisposable
    {
        private bool stopped;
        private readonly Lock gate = new();
        private readonly CancellationTokenSource stop = new();
        private readonly Queue<JobProgressReport> endsOfStages = new();
        private JobProgressReport latest = new(jobId, "starting", 0, 0, 0, null);
        private bool changed = true;

        public void Report(GenerationProgress value) => Set(
            value.Windows > 1 ? $"{value.Phase} (window {value.Window}/{value.Windows})" : value.Phase,
            value.Level, value.Step, Math.Round(100 * value.Fraction, 1), value.Remaining?.TotalSeconds);

        public void Set(string phase, int level, int step, double percent, double? eta)
        {
            lock (gate)
            {
                if (changed && (latest.Phase != phase || latest.Level != level)) endsOfStages.Enqueue(latest);
                latest = new JobProgressReport(jobId, phase, level, step, percent, eta);
                changed = true;
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var sinceSent = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                if (await SendAsync(force: sinceSent.Elapsed >= TimeSpan.FromSeconds(1), cancellationToken)) sinceSent.Restart();
                try { await Task.Delay(ReportInterval, stop.Token); } catch (OperationCanceledException) { }
            }
            await SendAsync(force: false, cancellationToken); // what came in since the last round
        }

        /// <summary>Sends the finished stages and the latest report when it changed (or when <paramref name="force"/>d); false when there was nothing to send.</summary>
        private async Task<bool> SendAsync(bool force, CancellationToken cancellationToken)
        {
            var reports = new List<JobProgressReport>();
            lock (gate)
            {
                while (endsOfStages.TryDequeue(out var end)) reports.Add(end);
                if (changed || force) { reports.Add(latest); changed = false; }
            }
            foreach (var report in reports)
            {
                try
                {
                    if (await studio.ReportProgressAsync(report, cancellationToken)) await cancel.CancelAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException) { } // progress is best effort; the job goes on
            }
            return reports.Count > 0;
        }

        /// <summary>Stops the loop after its last round; safe to call more than once.</summary>
        public async Task StopAsync(Task running)
        {
            if (!stopped)
            {
                stopped = true;
                await stop.CancelAsync();
            }
            try { await running; } catch (OperationCanceledException) { }
        }

        public void Dispose() => stop.Dispose();
    }
}

/// <summary>Which process runs jobs ("studio", or a worker's configured name): shown with the device on the page.</summary>
public sealed record WorkerIdentity(string Name);
