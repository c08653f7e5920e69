using System.Text.RegularExpressions;
using StemGen.Audio.Midi;

namespace StemGen.Data.Rendering;

/// <summary>An mma accompaniment groove: its name, the library file that defines it, and beats per bar.</summary>
public sealed record MmaGroove(string Name, string File, int BeatsPerBar)
{
    /// <summary>The style family: the file name without extension ("bossanova" for BossaNovaSus).</summary>
    public string Style => Path.GetFileNameWithoutExtension(File);
}

/// <summary>
/// Debian's <c>mma</c> (Musical MIDI Accompaniment): turns a chord chart in a groove into a
/// multitrack MIDI file (drums, bass, chords, arpeggios, ...). The groove list is read from the
/// installed library's <c>DefGroove</c> lines.
/// </summary>
public static class Mma
{
    public const string DefaultLibrary = "/usr/share/mma/lib/stdlib";

    private static readonly Regex TimeLine = new(@"^\s*Time\s+(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex DefGroove = new(@"^\s*DefGroove\s+(\S+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    // Intros, endings, fills and breaks are a bar or two long, not whole-song patterns; "None" has no tracks.
    private static readonly Regex NotASongGroove = new(@"intro|end|fill|break|metronome|^none$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// Whole-song grooves in 3/4 and 4/4 from the library folder, sorted by name (ordinal), so a seed
    /// picks the same groove wherever the same mma version is installed.
    /// </summary>
    public static IReadOnlyList<MmaGroove> Grooves(string library = DefaultLibrary)
    {
        if (!Directory.Exists(library))
            throw new ExternalToolException($"no mma groove library at {library} (Debian: apt-get install mma)");
        var grooves = new Dictionary<string, MmaGroove>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(library, "*.mma").OrderBy(f => f, StringComparer.Ordinal))
        {
            var beats = 4;
            foreach (var line in File.ReadLines(file))
            {
                if (TimeLine.Match(line) is { Success: true } t) beats = int.Parse(t.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                else if (DefGroove.Match(line) is { Success: true } g)
                {
                    var name = g.Groups[1].Value;
                    if (beats is 3 or 4 && !NotASongGroove.IsMatch(name)) grooves.TryAdd(name, new MmaGroove(name, file, beats));
                }
            }
        }
        return grooves.Values.OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Runs mma on a chord chart and reads the MIDI it writes.</summary>
    public static MidiFile Render(string chart, CancellationToken cancellationToken = default)
    {
        var work = Directory.CreateTempSubdirectory("stemgen-mma-");
        try
        {
            var input = Path.Combine(work.FullName, "song.mma");
            var output = Path.Combine(work.FullName, "song.mid");
            File.WriteAllText(input, chart);
            // Relative names: mma writes its input file name into the MIDI, and a temp path would differ per run.
            var result = ExternalTool.Run("mma", ["-f", "song.mid", "song.mma"], work.FullName, TimeSpan.FromMinutes(2), cancellationToken);
            // mma reports errors on stdout and may still exit 0; a missing or empty file is the failure that counts.
            if (result.ExitCode != 0 || !File.Exists(output) || new FileInfo(output).Length == 0)
                throw new ExternalToolException($"mma failed (exit {result.ExitCode}): {ExternalTool.Tail(result.Output + "\n" + result.Error)}");
            return MidiFile.Read(output);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
