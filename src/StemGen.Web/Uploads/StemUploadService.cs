using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using StemGen.Audio;
using StemGen.Data;
using StemGen.Web.Data;
using StemGen.Web.Storage;

namespace StemGen.Web.Uploads;

/// <summary>
/// Receives a multipart upload of several audio files without buffering any of them in memory:
/// each file part streams into a staging file under a generated name (with a byte limit), then is
/// decoded block by block (validating it and computing its waveform peaks), then moves into the
/// blob store and gets a <see cref="Stem"/> row. The upload is all or nothing: when any file is
/// refused, the response lists every reason and nothing is kept.
/// </summary>
public sealed class StemUploadService(
    StudioDbContext db, IBlobStore blobs, IOptions<UploadOptions> uploadOptions, IOptions<StudioOptions> studioOptions,
    TimeProvider clock, ILogger<StemUploadService> logger, Security.UserQuotas quotas)
{
    private readonly UploadOptions limits = uploadOptions.Value;

    private sealed record StagedFile(string DisplayName, string Path);

    private sealed record ValidatedFile(StagedFile File, AudioInfo Info, WaveformPeaks Peaks);

    public async Task<IReadOnlyList<Stem>> ReceiveAsync(HttpRequest request, int projectId, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limits.MaxRequestBytes;

        var boundary = Boundary(request.ContentType);
        var staged = new List<StagedFile>();
        try
        {
            await StageAsync(request, boundary, staged, cancellationToken);
            var validated = Validate(staged);
            await quotas.EnsureCanStoreAsync(projectId, validated.Sum(f => new FileInfo(f.File.Path).Length), cancellationToken);
            var stems = new List<Stem>();
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var file in validated)
            {
                var stored = await blobs.StoreAudioAsync(file.File.Path, FormatLabel(file.Info.Container), file.Info.SampleRate, file.Info.Channels, file.Peaks, cancellationToken);
                stems.Add(new Stem
                {
                    ProjectId = projectId,
                    Name = UploadFileName.StemName(file.File.DisplayName),
                    Category = InstrumentCategories.Suggest(file.File.DisplayName),
                    Audio = stored,
                    CreatedAt = now,
                });
            }
            db.Stems.AddRange(stems);
            await db.SaveChangesAsync(cancellationToken);
            return stems;
        }
        finally
        {
            // Blobs stored but never recorded (a failure after storing) are left to the blob sweep: another
            // upload of the same content may be recording its row for one of them right now.
            foreach (var file in staged) TryDelete(file.Path);
        }
    }

    private static string Boundary(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw Refused("(request)", UploadReasons.NotMultipart, "send the files as multipart/form-data");
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
            throw Refused("(request)", UploadReasons.NotMultipart, "the multipart boundary is missing or too long");
        return boundary;
    }

    /// <summary>Streams every file part to its own staging file, enforcing the count and size limits as bytes arrive.</summary>
    private async Task StageAsync(HttpRequest request, string boundary, List<StagedFile> staged, CancellationToken cancellationToken)
    {
        var folder = studioOptions.Value.StagingDirectory;
        Directory.CreateDirectory(folder);
        var reader = new MultipartReader(boundary, request.Body);
        var refusals = new List<UploadRefusal>();
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.IsFileDisposition())
                continue; // form fields carry nothing the upload needs; the reader skips their bytes

            var displayName = UploadFileName.DisplayName(disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : disposition.FileName.Value);
            if (staged.Count + refusals.Count >= limits.MaxFiles)
                throw Refused(displayName, UploadReasons.TooManyFiles, $"too many files: at most {limits.MaxFiles} per upload");

            var extension = UploadFileName.AcceptedExtension(displayName);
            if (extension is null)
            {
                refusals.Add(new UploadRefusal(displayName, UploadReasons.UnsupportedType,
                    "not an accepted audio file type: upload WAV, FLAC, OGG (Vorbis/Opus) or MP3"));
                continue;
            }

            // Generated name; only the checked extension comes from the client (the decoder uses it to cross-check the content).
            var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + extension);
            staged.Add(new StagedFile(displayName, path));
            if (!await CopyLimitedAsync(section.Body, path, limits.MaxFileBytes, cancellationToken))
                throw Refused(displayName, UploadReasons.TooBig, $"larger than the limit of {FormatBytes(limits.MaxFileBytes)}");
        }
        if (refusals.Count > 0) throw new UploadRefusedException(refusals);
        if (staged.Count == 0) throw Refused("(request)", UploadReasons.NoFiles, "the request holds no files");
    }

    private static async Task<bool> CopyLimitedAsync(Stream source, string path, long maxBytes, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes) return false;
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return true;
    }

    /// <summary>Probes each file's header, then decodes it completely: a file is only accepted when every sample decodes.</summary>
    private List<ValidatedFile> Validate(List<StagedFile> staged)
    {
        var options = new AudioReadOptions { MaxDuration = TimeSpan.FromSeconds(limits.MaxDurationSeconds) };
        var refusals = new List<UploadRefusal>();
        var validated = new List<ValidatedFile>();
        foreach (var file in staged)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                // From the header, before anything is decoded: a rate or channel count the studio cannot use.
                var info = AudioFile.Probe(file.Path, options);
                if (Unusable(info) is { } why)
                {
                    refusals.Add(new UploadRefusal(file.DisplayName, UploadReasons.UnusableFormat, why));
                    continue;
                }
                var peaks = WaveformPeaks.FromFile(file.Path, null, options);
                if (peaks.Frames == 0) throw new AudioFormatException(file.Path, AudioErrorReason.Empty, "no audio frames");
                validated.Add(new ValidatedFile(file, info, peaks));
                logger.LogInformation("upload {Name}: {Format}, {Seconds:0.0} s decoded in {Ms} ms", file.DisplayName, info.FormatName,
                    (double)peaks.Frames / info.SampleRate, watch.ElapsedMilliseconds);
            }
            catch (AudioFormatException e)
            {
                refusals.Add(new UploadRefusal(file.DisplayName, ReasonCode(e.Reason), Describe(e)));
            }
        }
        if (refusals.Count > 0) throw new UploadRefusedException(refusals);
        return validated;
    }

    private string? Unusable(AudioInfo info) =>
        info.SampleRate < limits.MinSampleRate || info.SampleRate > limits.MaxSampleRate
            ? $"sample rate {info.SampleRate} Hz: the studio takes {limits.MinSampleRate} to {limits.MaxSampleRate} Hz (resample it first)"
        : info.Channels > limits.MaxChannels
            ? $"{info.Channels} channels: the studio takes {(limits.MaxChannels == 2 ? "mono or stereo" : $"at most {limits.MaxChannels} channels")} (mix it down first)"
        : null;

    private string Describe(AudioFormatException e) => e.Reason == AudioErrorReason.TooLong
        ? $"{e.Problem} (the limit is {TimeSpan.FromSeconds(limits.MaxDurationSeconds):g})"
        : e.Problem;

    private static string ReasonCode(AudioErrorReason reason) => reason switch
    {
        AudioErrorReason.TooLong => UploadReasons.TooLong,
        AudioErrorReason.Empty => UploadReasons.Empty,
        AudioErrorReason.Corrupt or AudioErrorReason.Truncated or AudioErrorReason.NonFinite => UploadReasons.Corrupt,
        AudioErrorReason.Unsupported or AudioErrorReason.WrongExtension => UploadReasons.Unsupported,
        _ => UploadReasons.BadAudio,
    };

    private static string FormatLabel(AudioContainer container) => container switch
    {
        AudioContainer.Wav => "WAV",
        AudioContainer.Flac => "FLAC",
        AudioContainer.OggVorbis or AudioContainer.OggOpus => "OGG",
        AudioContainer.Mp3 => "MP3",
        _ => container.ToString().ToUpperInvariant(),
    };

    private static UploadRefusedException Refused(string file, string reason, string message) => new([new UploadRefusal(file, reason, message)]);

    internal static string FormatBytes(long bytes) => bytes >= 1 << 20 ? $"{bytes / (1024.0 * 1024):0.#} MB" : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.#} KB" : $"{bytes} bytes";

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
