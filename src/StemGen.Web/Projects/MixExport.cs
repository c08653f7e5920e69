using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Audio;
using StemGen.Web.Data;
using StemGen.Web.Storage;

namespace StemGen.Web.Projects;

/// <summary>One track of a mix as the page has it: its gain in dB (null, or at or below <see cref="MixExport.SilentAtOrBelowDb"/>, is silence; omitted is 0 dB), mute and solo.</summary>
public sealed record MixTrack(int StemId, double? GainDb = 0, bool Muted = false, bool Solo = false);

/// <summary>What to export: "wav" or "flac", and the tracks with their mix settings (stems not listed are left out).</summary>
public sealed record MixRequest(string? Format, IReadOnlyList<MixTrack>? Tracks);

/// <summary>A rendered mix in a temporary file: open it once (the file goes when the stream closes) or dispose it.</summary>
public sealed class MixFile(string path, string fileName, string contentType, double seconds, int sampleRate, int channels, double gainReductionDb) : IDisposable
{
    public string FileName { get; } = fileName;
    public string ContentType { get; } = contentType;
    public double Seconds { get; } = seconds;
    public int SampleRate { get; } = sampleRate;
    public int Channels { get; } = channels;
    /// <summary>How far the whole mix was turned down to keep its true peak at the ceiling (0 when it was not).</summary>
    public double GainReductionDb { get; } = gainReductionDb;

    /// <summary>The file, deleted when the stream is closed.</summary>
    public Stream OpenRead() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81_920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    public void Dispose()
    {
        try { File.Delete(path); } catch (IOException) { } // already open with DeleteOnClose: it goes with the stream
    }
}

/// <summary>
/// Renders a project's mix as the page plays it (mute, solo, gain per track) to a 24-bit WAV or FLAC.
/// A track sounds when it is not muted and either no track is soloed or it is; stems not listed are left
/// out. The mix is as long as the longest sounding stem, at the highest sample rate among them (the others
/// resampled with libsoxr), stereo when any sounding stem is stereo (mono stems go to both channels at
/// their gain, as <see cref="Mixer"/> does). Clipping policy: when the summed mix's true peak (libebur128,
/// 4x oversampled) is above <see cref="CeilingDbtp"/>, the whole mix is turned down so it sits there; nothing
/// is limited or clipped, and a mix under the ceiling is the exact sum. Memory is bounded: stems are read
/// block by block twice (once to measure the peak, once to write), the file is written to the staging folder.
/// Requests are bounded by <see cref="MaxTracks"/>, <see cref="MaxSeconds"/>, <see cref="MaxTotalTrackSeconds"/> and <see cref="MaxFileBytes"/>.
/// </summary>
public sealed class MixExport(StudioDbContext db, IBlobStore store, IOptions<StudioOptions> options)
{
    public const int MaxTracks = 64;
    public const double MaxGainDb = 12;
    /// <summary>A gain at or below this (or null) is silence, -infinity dB.</summary>
    public const double SilentAtOrBelowDb = -100;
    /// <summary>The true-peak ceiling of an exported mix (EBU R128's distribution limit).</summary>
    public const double CeilingDbtp = -1;
    /// <summary>The longest mix (an hour; uploads stop at 20 minutes by default).</summary>
    public const double MaxSeconds = 3600;
    /// <summary>The most audio read for one mix, summed over its sounding tracks (4 hours), so one request cannot keep a core busy for long.</summary>
    public const double MaxTotalTrackSeconds = 4 * 3600;

    /// <summary>The largest mix file (2 GiB of 24-bit samples, under WAV's 4 GB limit): an hour of stereo at 96 kHz.</summary>
    public const long MaxFileBytes = 2L * 1024 * 1024 * 1024;

    private const int BlockFrames = 16_384;

    /// <summary>Checks the request and renders the mix; a refusal is a <see cref="StudioValidationException"/> saying what to fix.</summary>
    public async Task<MixFile> RenderAsync(int projectId, MixRequest request, CancellationToken cancellationToken = default)
    {
        var format = (request.Format ?? "").Trim().ToLowerInvariant() switch
        {
            "wav" => AudioWriteFormat.Wav24,
            "flac" => AudioWriteFormat.Flac24,
            _ => throw new StudioValidationException($"the mix format is \"wav\" or \"flac\", not \"{request.Format}\""),
        };
        var tracks = request.Tracks ?? [];
        if (tracks.Count == 0) throw new StudioValidationException("the mix has no tracks: list the stems to mix");
        if (tracks.Count > MaxTracks) throw new StudioValidationException($"a mix has at most {MaxTracks} tracks ({tracks.Count} were sent)");
        if (tracks.Any(t => t is null)) throw new StudioValidationException("a track of the mix is empty");
        if (tracks.GroupBy(t => t.StemId).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new StudioValidationException($"stem {twice.Key} is listed more than once");
        foreach (var track in tracks)
            if (track.GainDb is { } gain && (!double.IsFinite(gain) || gain > MaxGainDb))
                throw new StudioValidationException($"a track's gain is at most +{MaxGainDb:0} dB (null or {SilentAtOrBelowDb:0} dB and below is silence); stem {track.StemId} has {gain}");

        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken) ?? throw new KeyNotFoundException("no such project");
        var ids = tracks.Select(t => t.StemId).ToList();
        var stems = await db.Stems.AsNoTracking().Where(s => s.ProjectId == projectId && ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var unknown = ids.Where(id => !stems.ContainsKey(id)).ToList();
        if (unknown.Count > 0) throw new StudioValidationException($"this project has no stem {string.Join(", ", unknown)}");

        var anySolo = tracks.Any(t => t.Solo);
        var sounding = tracks.Where(t => Sounds(t, anySolo)).Select(t => (Stem: stems[t.StemId], Gain: (float)Levels.FromDecibels(t.GainDb!.Value))).ToList();
        if (sounding.Count == 0) throw new StudioValidationException("nothing to mix: every listed track is muted, silenced (gain -inf) or left out by another track's solo");
        var seconds = sounding.Max(t => t.Stem.DurationSeconds);
        if (seconds > MaxSeconds) throw new StudioValidationException($"a mix is at most {MaxSeconds / 60:0} minutes long; the longest sounding stem is {seconds / 60:0.#}");
        var total = sounding.Sum(t => t.Stem.DurationSeconds);
        if (total > MaxTotalTrackSeconds) throw new StudioValidationException($"a mix reads at most {MaxTotalTrackSeconds / 3600:0} hours of audio; its sounding tracks hold {total / 3600:0.#}");

        if (sounding.Select(t => t.Stem).FirstOrDefault(s => s.Channels > 2) is { } wide)
            throw new StudioValidationException($"stem {wide.Id} has {wide.Channels} channels; a mix takes mono and stereo stems");
        var rate = sounding.Max(t => t.Stem.SampleRate);
        var channels = sounding.Any(t => t.Stem.Channels == 2) ? 2 : 1;
        var frames = (long)Math.Round(seconds * rate);
        var bytes = frames * channels * 3;
        if (bytes > MaxFileBytes)
            throw new StudioValidationException($"the mix would take {bytes / 1048576} MB; at most {MaxFileBytes / 1048576} MB (fewer minutes or a lower sample rate)");
        var extension = format.Container == AudioContainer.Flac ? ".flac" : ".wav";
        Directory.CreateDirectory(options.Value.StagingDirectory);
        var path = Path.Combine(options.Value.StagingDirectory, $"mix-{Guid.NewGuid():N}{extension}");
        try
        {
            var reduction = await Task.Run(() => Render(sounding, rate, channels, frames, format, path, cancellationToken), cancellationToken);
            return new MixFile(path, StemFiles.SafeFileName(project.Name, extension), StemFiles.ContentType(format.Container == AudioContainer.Flac ? "FLAC" : "WAV"),
                (double)frames / rate, rate, channels, reduction);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>A track sounds when it is not muted, (no track is soloed or it is), and its gain is not silence.</summary>
    public static bool Sounds(MixTrack track, bool anySolo) =>
        !track.Muted && (!anySolo || track.Solo) && track.GainDb is { } gain && gain > SilentAtOrBelowDb;

    /// <summary>The two passes: measure the true peak of the sum, then write it turned down to the ceiling when needed. Returns the reduction in dB (0 or negative).</summary>
    private double Render(IReadOnlyList<(Stem Stem, float Gain)> tracks, int rate, int channels, long frames, AudioWriteFormat format, string path, CancellationToken cancellationToken)
    {
        double truePeak;
        using (var meter = new LoudnessMeter(channels, rate, truePeak: true))
        {
            Sum(tracks, rate, channels, frames, (mix, n) => meter.Add(mix, n), cancellationToken);
            var result = meter.Result();
            truePeak = double.IsNaN(result.TruePeak) ? result.SamplePeak : Math.Max(result.TruePeak, result.SamplePeak);
        }
        var ceiling = Levels.FromDecibels(CeilingDbtp);
        // Just under the ceiling, so quantisation cannot land a peak on the wrong side.
        var scale = truePeak > ceiling ? (float)(ceiling / truePeak * (1 - 1e-5)) : 1f;
        using var writer = AudioWriter.Create(path, format, rate, channels);
        Sum(tracks, rate, channels, frames, (mix, n) =>
        {
            if (scale != 1f)
                foreach (ref var sample in mix.Samples.AsSpan()) sample *= scale;
            writer.Write(mix, 0, n);
        }, cancellationToken);
        writer.Commit();
        return scale == 1f ? 0 : Levels.ToDecibels(scale);
    }

    /// <summary>Sums the tracks block by block and hands each block (its first n frames) to <paramref name="sink"/>.</summary>
    private void Sum(IReadOnlyList<(Stem Stem, float Gain)> tracks, int rate, int channels, long frames, Action<AudioBuffer, int> sink, CancellationToken cancellationToken)
    {
        var sources = new List<StemAudioSource>();
        try
        {
            foreach (var track in tracks) sources.Add(StemAudioSource.Open(store, track.Stem, rate, channels));
            var mix = new AudioBuffer(channels, BlockFrames, rate);
            var block = new AudioBuffer(channels, BlockFrames, rate);
            for (long at = 0; at < frames;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = (int)Math.Min(BlockFrames, frames - at);
                Array.Clear(mix.Samples);
                for (var k = 0; k < sources.Count; k++)
                {
                    var read = sources[k].Read(block, n);
                    var gain = tracks[k].Gain;
                    for (var c = 0; c < channels; c++)
                    {
                        var from = block.Channel(c)[..read];
                        var to = mix.Channel(c);
                        for (var i = 0; i < from.Length; i++) to[i] += from[i] * gain;
                    }
                }
                sink(mix, n);
                at += n;
            }
        }
        finally
        {
            foreach (var source in sources) source.Dispose();
        }
    }
}
