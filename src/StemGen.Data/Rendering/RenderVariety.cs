using System.Globalization;
using StemGen.Audio;
using StemGen.Audio.Midi;

namespace StemGen.Data.Rendering;

/// <summary>
/// What a varied dataset draws per song and per stem, so a model learns music rather than one
/// SoundFont's timbres and one mixing: each song draws one General MIDI SoundFont for its pitched
/// parts and one for its drums (a GM font or a drum-kit font), and each stem a level, a spectral
/// tilt, FluidSynth reverb and chorus amounts and the weights that fold FluidSynth's stereo to mono.
/// Off by default (<see cref="SynthDatasetOptions.Variety"/> null), so existing seeds render as before.
/// </summary>
public sealed record RenderVariety
{
    /// <summary>Drum-kit SoundFonts drawn for drums besides the GM fonts (their kit is preset 0 of bank 0, not GM's bank 128).</summary>
    public IReadOnlyList<string> DrumKits { get; init; } = [];
    /// <summary>Probability that a song's drums come from a drum-kit font (when there is one).</summary>
    public double DrumKitProbability { get; init; } = 0.4;
    /// <summary>Stem level around the dataset's loudness target, dB.</summary>
    public double MinLevelDb { get; init; } = -9;
    public double MaxLevelDb { get; init; } = 3;
    /// <summary>Spectral tilt, dB of high band over low band (split at <see cref="TiltCornerHz"/>): negative is darker.</summary>
    public double MaxTiltDb { get; init; } = 6;
    public double TiltCornerHz { get; init; } = 700;
    /// <summary>FluidSynth reverb room size and level (0-1 each) and chorus level (0-10) are drawn up to these.</summary>
    public double MaxReverbRoom { get; init; } = 0.9;
    public double MaxReverbLevel { get; init; } = 0.8;
    public double MaxChorusLevel { get; init; } = 4;
    /// <summary>Left-channel weight of the mono fold is drawn from [0.5 - w, 0.5 + w]: unequal folds keep more or less of the stereo reverb and panning.</summary>
    public double FoldSpread { get; init; } = 0.25;
    /// <summary>Song tempo range of a varied dataset (wider than the plain one).</summary>
    public int MinTempo { get; init; } = 60;
    public int MaxTempo { get; init; } = 180;

    /// <summary>The General MIDI drum channel (0-based), which FluidSynth plays from bank 128.</summary>
    private const int GmDrumChannel = 9;

    /// <summary>The SoundFonts of song <paramref name="index"/>: one for pitched parts, one for drums (and whether it is a kit font).</summary>
    public SongFonts DrawFonts(long seed, int index, IReadOnlyList<string> soundFonts)
    {
        if (soundFonts.Count == 0) throw new ArgumentException("no SoundFont", nameof(soundFonts));
        var rng = SeededRandom.Derive(seed, index, 41);
        var pitched = rng.Pick(soundFonts);
        var kit = DrumKits.Count > 0 && rng.Chance(DrumKitProbability);
        var drums = kit ? rng.Pick(DrumKits) : rng.Pick(soundFonts);
        return new SongFonts(pitched, drums, kit);
    }

    /// <summary>The mixing of stem <paramref name="stem"/> of song <paramref name="index"/>.</summary>
    public StemMix DrawMix(long seed, int index, int stem)
    {
        var rng = SeededRandom.Derive(seed, index, 43, stem);
        return new StemMix(
            LevelDb: Math.Round(rng.NextDouble(MinLevelDb, MaxLevelDb), 2),
            TiltDb: Math.Round(rng.NextDouble(-MaxTiltDb, MaxTiltDb), 2),
            ReverbRoom: Math.Round(rng.NextDouble(0, MaxReverbRoom), 2),
            ReverbLevel: Math.Round(rng.NextDouble(0, MaxReverbLevel), 2),
            ChorusLevel: Math.Round(rng.NextDouble(0, MaxChorusLevel), 2),
            FoldLeft: Math.Round(rng.NextDouble(0.5 - FoldSpread, 0.5 + FoldSpread), 3),
            TiltCornerHz: TiltCornerHz);
    }

    /// <summary>Song parts dressed for rendering: drums on the song's drum font (played on channel 1 for a kit font; the saved MIDI keeps GM's drum channel), pitched parts on its pitched font, each with its mix.</summary>
    public IReadOnlyList<StemPart> Dress(long seed, int index, IReadOnlyList<StemPart> parts, SongFonts fonts) =>
        parts.Select((part, i) => part with
        {
            SoundFont = part.IsDrum ? fonts.Drums : fonts.Pitched,
            RenderMidi = part.IsDrum && fonts.DrumsAreKit ? MoveChannel(part.Midi, GmDrumChannel, 0) : null,
            Mix = DrawMix(seed, index, i),
        }).ToList();

    /// <summary>A copy of the file with every channel event of <paramref name="from"/> on <paramref name="to"/> (a kit font's preset 0 plays on a melodic channel).</summary>
    internal static MidiFile MoveChannel(MidiFile midi, int from, int to)
    {
        MidiEvent Move(MidiEvent e) => e switch
        {
            NoteOnEvent n when n.Channel == from => n with { Channel = to },
            NoteOffEvent n when n.Channel == from => n with { Channel = to },
            PolyPressureEvent p when p.Channel == from => p with { Channel = to },
            ControlChangeEvent c when c.Channel == from => c with { Channel = to },
            ProgramChangeEvent p when p.Channel == from => p with { Channel = to, Program = 0 },
            ChannelPressureEvent p when p.Channel == from => p with { Channel = to },
            PitchBendEvent p when p.Channel == from => p with { Channel = to },
            _ => e,
        };
        return new MidiFile(midi.Format, midi.Timing, midi.Tracks.Select(t => new MidiTrack(t.Events.Select(Move), t.EndTick)));
    }
}

/// <summary>The SoundFonts one song is rendered with.</summary>
public sealed record SongFonts(string Pitched, string Drums, bool DrumsAreKit);

/// <summary>One stem's random mixing (<see cref="RenderVariety"/>): applied by FluidSynth (reverb, chorus) and after it (fold, tilt, level).</summary>
public sealed record StemMix(double LevelDb, double TiltDb, double ReverbRoom, double ReverbLevel, double ChorusLevel, double FoldLeft, double TiltCornerHz = 700)
{
    /// <summary>FluidSynth settings for this stem's render.</summary>
    public FluidSynthOptions Synth(FluidSynthOptions baseOptions) => baseOptions with
    {
        Reverb = ReverbLevel > 0,
        Chorus = ChorusLevel > 0,
        Settings = new Dictionary<string, string>
        {
            ["synth.reverb.room-size"] = ReverbRoom.ToString("0.###", CultureInfo.InvariantCulture),
            ["synth.reverb.level"] = ReverbLevel.ToString("0.###", CultureInfo.InvariantCulture),
            ["synth.chorus.level"] = ChorusLevel.ToString("0.###", CultureInfo.InvariantCulture),
        },
    };

    /// <summary>FluidSynth's stereo folded to mono with weights FoldLeft and 1 - FoldLeft.</summary>
    public AudioBuffer Fold(AudioBuffer stereo)
    {
        if (stereo.Channels == 1) return stereo;
        var mono = new AudioBuffer(1, stereo.Frames, stereo.SampleRate);
        Span<float> l = stereo.Channel(0), r = stereo.Channel(1), m = mono.Channel(0);
        var (wl, wr) = ((float)FoldLeft, (float)(1 - FoldLeft));
        for (var i = 0; i < m.Length; i++) m[i] = wl * l[i] + wr * r[i];
        return mono;
    }

    /// <summary>
    /// Tilts the spectrum in place: a one-pole low-pass at the corner splits low from high, and the
    /// high band gets +TiltDb/2 while the low band gets -TiltDb/2 (0 dB leaves the signal as it is).
    /// </summary>
    public void Tilt(AudioBuffer audio)
    {
        if (TiltDb == 0) return;
        var a = (float)Math.Exp(-2 * Math.PI * TiltCornerHz / audio.SampleRate);
        var (low, high) = ((float)Levels.FromDecibels(-TiltDb / 2), (float)Levels.FromDecibels(TiltDb / 2));
        for (var c = 0; c < audio.Channels; c++)
        {
            var x = audio.Channel(c);
            var state = 0f;
            for (var i = 0; i < x.Length; i++)
            {
                state = (1 - a) * x[i] + a * state;
                x[i] = low * state + high * (x[i] - state);
            }
        }
    }

    /// <summary>As recorded in metadata.yaml (<see cref="Slakh.SlakhStem.Mixing"/>).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"level {LevelDb:+0.0;-0.0;0.0} dB, tilt {TiltDb:+0.0;-0.0;0.0} dB, reverb {ReverbRoom:0.00}/{ReverbLevel:0.00}, chorus {ChorusLevel:0.0}, fold {FoldLeft:0.00}");
}
