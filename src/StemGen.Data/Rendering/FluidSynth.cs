using System.Globalization;
using StemGen.Audio;
using StemGen.Audio.Midi;

namespace StemGen.Data.Rendering;

/// <summary>How FluidSynth renders.</summary>
public sealed record FluidSynthOptions
{
    /// <summary>Output rate (Slakh: 44.1 kHz).</summary>
    public int SampleRate { get; init; } = 44100;

    /// <summary>FluidSynth's master gain (0-10, its default 0.2). Output is float, so this only sets the working level.</summary>
    public double Gain { get; init; } = 0.5;

    public bool Reverb { get; init; } = true;
    public bool Chorus { get; init; } = true;
    /// <summary>Further FluidSynth settings, passed as <c>-o name=value</c> (e.g. synth.reverb.level).</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Renders MIDI with Debian's <c>fluidsynth</c> (2.3) in fast-render mode:
/// <c>fluidsynth -n -i -q -F out.wav -T wav -O float -r 44100 -g 0.5 -R 1 -C 1 font.sf2 part.mid</c>
/// (-n no MIDI input driver, -i no shell, -F render to file as fast as possible; it keeps going
/// after the last event until the voices have died away, so release tails are kept).
/// </summary>
public static class FluidSynth
{
    /// <summary>Renders a MIDI file with a SoundFont; returns FluidSynth's stereo output.</summary>
    public static AudioBuffer Render(MidiFile midi, string soundFont, FluidSynthOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(midi);
        options ??= new FluidSynthOptions();
        if (!File.Exists(soundFont)) throw new ExternalToolException($"SoundFont {soundFont} not found (Debian: apt-get install timgm6mb-soundfont)");
        var work = Directory.CreateTempSubdirectory("stemgen-fluidsynth-");
        try
        {
            var input = Path.Combine(work.FullName, "part.mid");
            var output = Path.Combine(work.FullName, "out.wav");
            midi.Write(input);
            var settings = (options.Settings ?? new Dictionary<string, string>()).SelectMany(s => new[] { "-o", $"{s.Key}={s.Value}" });
            string[] arguments =
            [
                "-n", "-i", "-q", .. settings,
                "-F", output, "-T", "wav", "-O", "float",
                "-r", options.SampleRate.ToString(CultureInfo.InvariantCulture),
                "-g", options.Gain.ToString("0.###", CultureInfo.InvariantCulture),
                "-R", options.Reverb ? "1" : "0",
                "-C", options.Chorus ? "1" : "0",
                soundFont, input,
            ];
            var result = ExternalTool.Run("fluidsynth", arguments, work.FullName, options.Timeout, cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(output))
                throw new ExternalToolException($"fluidsynth failed (exit {result.ExitCode}): {ExternalTool.Tail(result.Error + "\n" + result.Output)}");
            try
            {
                return AudioFile.Read(output);
            }
            catch (AudioFormatException e) when (e.Reason is AudioErrorReason.Empty)
            {
                // Nothing to play renders as a header-only file.
                return new AudioBuffer(2, 0, options.SampleRate);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}

/// <summary>A SoundFont a Debian package installs: its short name, file, package, and whether it is a drum kit (preset 0 of bank 0) rather than a General MIDI bank.</summary>
public sealed record KnownSoundFont(string Name, string Path, string Package, bool IsDrumKit = false);

/// <summary>SoundFonts installed by Debian packages (each checked to render with Debian's FluidSynth 2.3).</summary>
public static class SoundFonts
{
    /// <summary>TimGM6mb (Debian timgm6mb-soundfont, 6 MB): the default, as in Slakh's FluidSynth renders.</summary>
    public const string TimGM6mb = "/usr/share/sounds/sf2/TimGM6mb.sf2";

    /// <summary>FluidR3 GM (Debian fluid-soundfont-gm, 145 MB).</summary>
    public const string FluidR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

    /// <summary>Csound's GM bank (Debian csound-soundfont, 4 MB).</summary>
    public const string Csound = "/usr/share/sounds/sf2/sf_GMbank.sf2";

    /// <summary>MuseScore General Lite (Debian musescore-general-soundfont-small, 39 MB, SF3: each render first decompresses it, ~11 s).</summary>
    public const string MuseScore = "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3";

    /// <summary>The known SoundFonts, default first.</summary>
    public static readonly IReadOnlyList<KnownSoundFont> Known =
    [
        new("timgm6mb", TimGM6mb, "timgm6mb-soundfont"),
        new("fluidr3", FluidR3, "fluid-soundfont-gm"),
        new("csound", Csound, "csound-soundfont"),
        new("musescore", MuseScore, "musescore-general-soundfont-small"),
        new("fluidr3mono", "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3", "fluidr3mono-gm-soundfont"),
        new("avl-blackpearl", "/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2", "avldrums.lv2-soundfont", IsDrumKit: true),
        new("avl-redzeppelin", "/usr/share/sounds/sf2/Red_Zeppelin_4_LV2.sf2", "avldrums.lv2-soundfont", IsDrumKit: true),
    ];

    /// <summary>The known General MIDI SoundFonts that are installed, default first.</summary>
    public static IReadOnlyList<string> Installed() => Known.Where(k => !k.IsDrumKit && File.Exists(k.Path)).Select(k => k.Path).ToList();

    /// <summary>Whether the file is a known drum-kit font (its kit plays on a melodic channel, not GM's drum channel).</summary>
    public static bool IsDrumKit(string path) => Known.Any(k => k.IsDrumKit && k.Path == path);

    /// <summary>
    /// A SoundFont path from a known name ("timgm6mb", "fluidr3", "csound", "musescore", "fluidr3mono",
    /// "avl-blackpearl", "avl-redzeppelin") or a file. Throws with the package to install when it is not there.
    /// </summary>
    public static string Resolve(string nameOrPath)
    {
        var name = nameOrPath.ToLowerInvariant() switch
        {
            "tim" or "default" => "timgm6mb",
            "fluid" or "fluidr3_gm" => "fluidr3",
            var other => other,
        };
        var known = Known.FirstOrDefault(k => k.Name == name) ?? Known.FirstOrDefault(k => k.Path == nameOrPath);
        var path = known?.Path ?? nameOrPath;
        if (File.Exists(path)) return path;
        throw new ExternalToolException(known is null ? $"SoundFont {path} not found" : $"SoundFont {path} not found (Debian: apt-get install {known.Package})");
    }
}
