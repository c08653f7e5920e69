using Microsoft.EntityFrameworkCore;
using StemGen.Audio;
using StemGen.Data;
using StemGen.Evaluation.Mir;
using StemGen.Web.Data;
using StemGen.Web.Events;
using StemGen.Web.Storage;

namespace StemGen.Web.Projects;

/// <summary>A tempo read from the project's audio: beats per minute and how clearly the audio pulses at it (0..1).</summary>
public sealed record TempoEstimate(double Bpm, double Confidence);

/// <summary>
/// A project's tempo: set (typed or tapped on the page), estimated from its stems with the MIR beat
/// tracker of StemGen.Evaluation, and a click track rendered at it. Callers check the caller's role first
/// (the endpoints through <c>ProjectMembershipFilter</c>). Changes are published to open pages
/// (<see cref="ProjectChangedEvent"/> "tempo", and "stems" for a new click track).
/// </summary>
public sealed class TempoService(StudioDbContext db, IBlobStore store, ProjectEvents events, TimeProvider clock, Microsoft.Extensions.Options.IOptions<StudioOptions> options)
{
    /// <summary>The estimate listens to at most this much of the mix (the first minute and a half): enough for a steady tempo, bounded in memory and time.</summary>
    public const double MaxAnalysisSeconds = 90;

    /// <summary>Shortest audio an estimate accepts: the beat tracker needs a few beats (2 s of onsets at least).</summary>
    public const double MinAnalysisSeconds = 3;

    /// <summary>Sets (or, with a null <paramref name="bpm"/>, clears) the tempo and the beats per bar.</summary>
    public async Task<Project> SetTempoAsync(int projectId, double? bpm, int beatsPerBar, CancellationToken cancellationToken = default)
    {
        if (bpm is { } value && (!double.IsFinite(value) || value < Project.MinTempoBpm || value > Project.MaxTempoBpm))
            throw new StudioValidationException($"a tempo is {Project.MinTempoBpm:0} to {Project.MaxTempoBpm:0} BPM (or none); {value} is not");
        if (beatsPerBar is < Project.MinBeatsPerBar or > Project.MaxBeatsPerBar)
            throw new StudioValidationException($"a bar has {Project.MinBeatsPerBar} to {Project.MaxBeatsPerBar} beats; {beatsPerBar} is not");
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken) ?? throw new KeyNotFoundException("no such project");
        project.TempoBpm = bpm is { } b ? Math.Round(b, 3) : null;
        project.BeatsPerBar = beatsPerBar;
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(new ProjectChangedEvent(projectId, "tempo"));
        return project;
    }

    /// <summary>
    /// Estimates the tempo of the project's stems summed (every stem: the page's context ticks are the
    /// page's), over the first <see cref="MaxAnalysisSeconds"/>. Stores nothing: the user confirms with
    /// <see cref="SetTempoAsync"/>. Refused with a reason for a project without audio, silent audio, or
    /// audio without a steady beat.
    /// </summary>
    public async Task<TempoEstimate> EstimateAsync(int projectId, CancellationToken cancellationToken = default)
    {
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken)) throw new KeyNotFoundException("no such project");
        var stems = await db.Stems.AsNoTracking().Where(s => s.ProjectId == projectId).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        if (stems.Count == 0) throw new StudioValidationException("the project has no audio to estimate a tempo from; upload a stem first");
        var mono = await Task.Run(() => MonoMix(stems, cancellationToken), cancellationToken);
        if (mono.Length < MinAnalysisSeconds * AnalysisSettings.SampleRate)
            throw new StudioValidationException($"the project's audio is shorter than {MinAnalysisSeconds:0} s: too short to find a tempo");
        if (new AudioBuffer(mono, 1, AnalysisSettings.SampleRate).IsSilent())
            throw new StudioValidationException("the project's audio is silent: there is no beat to estimate a tempo from");
        return Estimate(mono) ?? throw new StudioValidationException("no steady beat was found in the project's audio; type or tap the tempo instead");
    }

    /// <summary>The beat tracker on a mono signal at <see cref="AnalysisSettings.SampleRate"/>; null when it finds no beat.</summary>
    public static TempoEstimate? Estimate(float[] mono)
    {
        var envelope = OnsetStrength.Envelope(mono);
        var beats = BeatTracker.Track(envelope);
        if (!beats.HasBeats || !double.IsFinite(beats.Tempo)) return null;
        var bpm = Math.Clamp(beats.Tempo, Project.MinTempoBpm, Project.MaxTempoBpm);
        return new TempoEstimate(Math.Round(bpm, 2), Math.Round(Confidence(envelope, 60 * OnsetStrength.FrameRate / beats.Tempo), 3));
    }

    /// <summary>
    /// How strongly the onset envelope repeats at the beat period: its normalised autocorrelation at that lag
    /// (interpolated between whole frames), clamped to 0..1. A click track reads near 1; noise near 0.
    /// </summary>
    internal static double Confidence(double[] envelope, double periodFrames)
    {
        if (envelope.Length < 2 || !(periodFrames >= 1) || periodFrames >= envelope.Length - 1) return 0;
        var mean = envelope.Average();
        var centred = envelope.Select(v => v - mean).ToArray();
        var energy = centred.Sum(v => v * v);
        if (energy <= 0) return 0;
        double At(int lag)
        {
            double s = 0;
            for (var i = lag; i < centred.Length; i++) s += centred[i] * centred[i - lag];
            return s / (centred.Length - lag) * centred.Length / energy;
        }
        var low = (int)Math.Floor(periodFrames);
        var fraction = periodFrames - low;
        // The best of the lag and its neighbours: a period between frames spreads its peak over two.
        var value = Math.Max((1 - fraction) * At(low) + fraction * At(low + 1), Math.Max(At(low), At(low + 1)));
        return Math.Clamp(value, 0, 1);
    }

    /// <summary>The stems summed as mono at the analysis rate, up to <see cref="MaxAnalysisSeconds"/>, read block by block.</summary>
    private float[] MonoMix(IReadOnlyList<Stem> stems, CancellationToken cancellationToken)
    {
        const int rate = AnalysisSettings.SampleRate;
        var maxFrames = (int)(MaxAnalysisSeconds * rate);
        var longest = (int)Math.Min(maxFrames, Math.Ceiling(stems.Max(s => s.DurationSeconds) * rate));
        var mix = new float[longest];
        var block = new AudioBuffer(1, 8192, rate);
        foreach (var stem in stems)
        {
            using var source = StemAudioSource.Open(store, stem, rate, 1);
            for (var at = 0; at < longest;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = source.Read(block, Math.Min(block.Frames, longest - at));
                if (n == 0) break;
                var samples = block.Channel(0);
                for (var i = 0; i < n; i++) mix[at + i] += samples[i];
                at += n;
            }
        }
        return mix;
    }

    /// <summary>The click track's category: a metronome is a woodblock-like click, and General MIDI's Woodblock (program 115) is in Slakh's Percussive class.</summary>
    public const InstrumentCategory ClickCategory = InstrumentCategory.Percussive;

    /// <summary>
    /// Renders a metronome at the project's tempo over the project's longest stem (accented downbeat: higher
    /// and louder) and stores it as an ordinary stem (a 16-bit mono WAV at the longest stem's rate, category
    /// <see cref="ClickCategory"/>) that the page can tick as context. Refused without a tempo or without stems.
    /// </summary>
    public async Task<Stem> AddClickTrackAsync(int projectId, CancellationToken cancellationToken = default)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken) ?? throw new KeyNotFoundException("no such project");
        if (project.TempoBpm is not { } bpm) throw new StudioValidationException("set the project's tempo first: the click track plays at it");
        var longest = await db.Stems.AsNoTracking().Where(s => s.ProjectId == projectId)
            .OrderByDescending(s => s.DurationSeconds).ThenBy(s => s.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new StudioValidationException("the project has no stems yet: the click track runs as long as the longest stem");
        var rate = longest.SampleRate;
        var frames = (long)Math.Round(longest.DurationSeconds * rate);

        Directory.CreateDirectory(options.Value.StagingDirectory);
        var staging = Path.Combine(options.Value.StagingDirectory, $"click-{Guid.NewGuid():N}.wav");
        try
        {
            var peaks = await Task.Run(() => ClickTrack.Write(staging, bpm, project.BeatsPerBar, rate, frames, cancellationToken), cancellationToken);
            StoredBlob blob;
            await using (var content = File.OpenRead(staging)) blob = await store.PutAsync(content, cancellationToken);
            var level = peaks.ForWidth(2000);
            var stem = new Stem
            {
                ProjectId = projectId, Name = ClickTrack.Name(bpm, project.BeatsPerBar), Category = ClickCategory, BlobHash = blob.Hash, Format = "WAV",
                SizeBytes = blob.Size, DurationSeconds = (double)frames / rate, SampleRate = rate, Channels = 1,
                Peaks = System.Runtime.InteropServices.MemoryMarshal.AsBytes(level.Data.AsSpan()).ToArray(), PeaksSamplesPerBucket = level.SamplesPerBucket,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.Stems.Add(stem);
            await db.SaveChangesAsync(cancellationToken);
            events.Publish(new ProjectChangedEvent(projectId, "stems"));
            return stem;
        }
        finally { File.Delete(staging); }
    }
}
