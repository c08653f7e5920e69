using StemGen.Audio;
using StemGen.Audio.Midi;
using StemGen.Data.Slakh;

namespace StemGen.Data.Rendering;

/// <summary>One instrument of a song to render as one stem.</summary>
/// <param name="Midi">A file with just this part (tempo map included), as <see cref="MidiPart.ToMidiFile"/> makes.</param>
/// <param name="Program">General MIDI program 0-127 (ignored for drums).</param>
/// <param name="Name">The part's name ("Bass", "Chord-Piano", "Melody").</param>
/// <param name="SoundFont">The SoundFont that renders it.</param>
public sealed record StemPart(MidiFile Midi, int Program, bool IsDrum, string Name, string SoundFont)
{
    /// <summary>Random mixing of a varied dataset (<see cref="RenderVariety"/>); null renders as Slakh does.</summary>
    public StemMix? Mix { get; init; }

    /// <summary>What FluidSynth plays when it differs from the saved <see cref="Midi"/> (a drum-kit font's kit is on a melodic channel).</summary>
    public MidiFile? RenderMidi { get; init; }

    public InstrumentCategory Category => InstrumentCategories.FromProgram(Program, IsDrum) ?? InstrumentCategory.Other;
}

/// <summary>How a track is rendered and mixed (Slakh's settings by default).</summary>
public sealed record TrackRenderOptions
{
    /// <summary>Each stem is normalised to this integrated loudness (Slakh: -13 LUFS, <c>normalization_factor</c>).</summary>
    public double TargetLufs { get; init; } = -13;

    /// <summary>One overall gain puts the highest peak of the mix and of every stem here (Slakh: <c>target_peak</c> -1 dBFS).</summary>
    public double TargetPeakDb { get; init; } = -1;

    public FluidSynthOptions Synth { get; init; } = new();

    /// <summary>Stems and mix as Slakh ships them: mono FLAC, 16-bit.</summary>
    public AudioWriteFormat Format { get; init; } = AudioWriteFormat.Flac16;
}

/// <summary>
/// Renders parts into a Slakh-format track folder: stems/SNN.flac (mono, loudness-normalised to
/// -13 LUFS, then one overall gain for all), mix.flac (the sum of the written stems), MIDI/SNN.mid,
/// all_src.mid and metadata.yaml with Slakh's field names. A part that renders silent is kept in
/// metadata with <c>audio_rendered: false</c> and no audio file, as Slakh does.
/// The folder is built beside the destination and moved into place when complete.
/// </summary>
public static class SlakhTrackWriter
{
    /// <param name="extraFiles">Text files to keep beside metadata.yaml (the mma chart), by file name.</param>
    public static SlakhMetadata Write(string trackDirectory, MidiFile song, IReadOnlyList<StemPart> parts, SlakhMetadata songMetadata,
        TrackRenderOptions? options = null, IReadOnlyDictionary<string, string>? extraFiles = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(song);
        ArgumentNullException.ThrowIfNull(parts);
        options ??= new TrackRenderOptions();
        var full = Path.GetFullPath(trackDirectory);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Path.Combine(staging, "stems"));
        Directory.CreateDirectory(Path.Combine(staging, "MIDI"));
        try
        {
            var rate = options.Synth.SampleRate;
            // Memory: one mono buffer per part (the stereo render is dropped at once), gains applied in place.
            var rendered = new List<(string Id, StemPart Part, AudioBuffer? Audio, double Lufs)>();
            for (var i = 0; i < parts.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var id = $"S{i:00}";
                var part = parts[i];
                part.Midi.Write(Path.Combine(staging, "MIDI", id + ".mid"));
                var stereo = FluidSynth.Render(part.RenderMidi ?? part.Midi, part.SoundFont, part.Mix?.Synth(options.Synth) ?? options.Synth, cancellationToken);
                var mono = part.Mix is { } mixing ? mixing.Fold(stereo) : ChannelMapper.Apply(stereo, ChannelPolicy.Mono);
                part.Mix?.Tilt(mono);
                var lufs = mono.Frames == 0 ? double.NegativeInfinity : Loudness.Integrated(mono);
                if (double.IsNegativeInfinity(lufs) || mono.IsSilent())
                {
                    rendered.Add((id, part, null, lufs));
                    continue;
                }
                mono.ApplyGain(Gain.FromDecibels(options.TargetLufs - lufs + (part.Mix?.LevelDb ?? 0))); // to -13 LUFS (plus the drawn level)
                rendered.Add((id, part, mono, lufs));
            }

            // All stems as long as the longest, so the mix is their plain sum.
            var frames = rendered.Where(r => r.Audio is not null).Select(r => r.Audio!.Frames).DefaultIfEmpty(0).Max();
            for (var i = 0; i < rendered.Count; i++)
                if (rendered[i].Audio is { } a) rendered[i] = rendered[i] with { Audio = Pad(a, frames) };
            var padded = rendered.Where(r => r.Audio is not null).ToDictionary(r => r.Id, r => r.Audio!);
            var overall = OverallGain(padded.Values.ToList(), options.TargetPeakDb);

            var stems = new List<SlakhStem>();
            var written = new List<AudioBuffer>();
            foreach (var (id, part, _, lufs) in rendered)
            {
                var category = part.Category;
                var rendersAudio = padded.TryGetValue(id, out var audio);
                if (rendersAudio)
                {
                    audio!.ApplyGain(Gain.FromLinear(overall));
                    AudioFile.Write(Path.Combine(staging, "stems", id + Extension(options.Format)), audio, options.Format);
                    written.Add(audio);
                }
                stems.Add(new SlakhStem
                {
                    Id = id,
                    AudioRendered = rendersAudio,
                    InstClass = GeneralMidi.SlakhClassName(category),
                    IntegratedLoudness = double.IsFinite(lufs) ? Math.Round(lufs, 4) : null,
                    IsDrum = part.IsDrum,
                    MidiProgramName = GeneralMidi.ProgramName(part.IsDrum ? InstrumentCategories.DrumProgram : part.Program),
                    MidiSaved = true,
                    PluginName = Path.GetFileName(part.SoundFont),
                    ProgramNum = part.IsDrum ? InstrumentCategories.DrumProgram : part.Program,
                    Part = part.Name,
                    Mixing = part.Mix?.ToString(),
                });
            }

            // The mix is the sum of the stems as written (after the overall gain).
            var mix = written.Count == 0 ? new AudioBuffer(1, 0, rate) : Mixer.Mix(written.Select(a => new MixInput(a, Gain.Unity)).ToArray()).Audio;
            AudioFile.Write(Path.Combine(staging, "mix" + Extension(options.Format)), mix, options.Format);
            song.Write(Path.Combine(staging, "all_src.mid"));
            foreach (var (name, text) in extraFiles ?? new Dictionary<string, string>())
                File.WriteAllText(Path.Combine(staging, Path.GetFileName(name)), text);

            var metadata = songMetadata with
            {
                AudioDir = "stems",
                MidiDir = "MIDI",
                NormalizationFactor = options.TargetLufs,
                Normalized = true,
                OverallGain = overall,
                TargetPeak = options.TargetPeakDb,
                Stems = stems,
                Duration = Math.Round((double)frames / rate, 3),
                Warnings = [],
            };
            metadata.Save(Path.Combine(staging, "metadata.yaml"));

            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(staging, full);
            return metadata;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The one gain that puts the highest peak of the mix (plain sum) and of every stem at the target.</summary>
    private static double OverallGain(IReadOnlyList<AudioBuffer> stems, double targetPeakDb)
    {
        if (stems.Count == 0) return 1.0;
        var peak = Math.Max(Mixer.Mix(stems.Select(a => new MixInput(a, Gain.Unity)).ToArray()).Audio.Peak(), stems.Max(a => a.Peak()));
        return peak > 0 ? Levels.FromDecibels(targetPeakDb) / peak : 1.0;
    }

    private static string Extension(AudioWriteFormat format) => format.Container == AudioContainer.Wav ? ".wav" : ".flac";

    private static AudioBuffer Pad(AudioBuffer audio, int frames)
    {
        if (audio.Frames == frames) return audio;
        var result = new AudioBuffer(audio.Channels, frames, audio.SampleRate);
        for (var c = 0; c < audio.Channels; c++) audio.Channel(c).CopyTo(result.Channel(c));
        return result;
    }
}
