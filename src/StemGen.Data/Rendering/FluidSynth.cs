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
            string[] arguments =
            [
                "-n", "-i", "-q",
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

/// <summary>General MIDI SoundFonts installed by Debian packages.</summary>
public static class SoundFonts
{
    /// <summary>TimGM6mb (Debian timgm6mb-soundfont, 6 MB): the default, as in Slakh's FluidSynth renders.</summary>
    public const string TimGM6mb = "/usr/share/sounds/sf2/TimGM6mb.sf2";

    /// <summary>FluidR3 GM (Debian fluid-soundfont-gm, 145 MB): optional, used when asked for and present.</summary>
    public const string FluidR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

    /// <summary>The known SoundFonts that are installed, default first.</summary>
    public static IReadOnlyList<string> Installed() => new[] { TimGM6mb, FluidR3 }.Where(File.Exists).ToList();

    /// <summary>
    /// A SoundFont path from a name or path: "timgm6mb", "fluidr3" (also "fluid"), or a file.
    /// Throws with the package to install when it is not there.
    /// </summary>
    public static string Resolve(string nameOrPath)
    {
        var path = nameOrPath.ToLowerInvariant() switch
        {
            "timgm6mb" or "tim" or "default" => TimGM6mb,
            "fluidr3" or "fluid" or "fluidr3_gm" => FluidR3,
            _ => nameOrPath,
        };
        if (File.Exists(path)) return path;
        var package = path == TimGM6mb ? "timgm6mb-soundfont" : path == FluidR3 ? "fluid-soundfont-gm" : null;
        throw new ExternalToolException(package is null ? $"SoundFont {path} not found" : $"SoundFont {path} not found (Debian: apt-get install {package})");
    }
}
