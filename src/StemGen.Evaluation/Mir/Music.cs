namespace StemGen.Evaluation.Mir;

/// <summary>Pitch-class names and key/chord labels shared by the descriptors.</summary>
public static class PitchClass
{
    public static readonly string[] Names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

    public static int Parse(string name)
    {
        var flats = new Dictionary<string, string> { ["Db"] = "C#", ["Eb"] = "D#", ["Gb"] = "F#", ["Ab"] = "G#", ["Bb"] = "A#", ["Cb"] = "B", ["Fb"] = "E", ["E#"] = "F", ["B#"] = "C" };
        var n = flats.GetValueOrDefault(name, name);
        var i = Array.IndexOf(Names, n);
        if (i < 0) throw new FormatException($"'{name}' is not a pitch class name");
        return i;
    }

    /// <summary>MIDI note number of a frequency (A4 = 440 Hz = 69), fractional.</summary>
    public static double MidiOf(double hz) => 69 + 12 * Math.Log2(hz / 440.0);

    public static double HzOf(double midi) => 440.0 * Math.Pow(2, (midi - 69) / 12.0);
}

public enum Mode { Major, Minor }

/// <summary>A key: tonic pitch class (0 = C) and mode.</summary>
public readonly record struct Key(int Tonic, Mode Mode)
{
    /// <summary>0..23: major keys C..B, then minor keys c..b.</summary>
    public int Index => Tonic + (Mode == Mode.Minor ? 12 : 0);

    public static Key FromIndex(int index) => new(index % 12, index < 12 ? Mode.Major : Mode.Minor);

    /// <summary>Key signature as a position on the circle of fifths: sharps positive, flats negative (-5..6; F#/Gb major is +6).</summary>
    public int Fifths
    {
        get
        {
            var major = Mode == Mode.Major ? Tonic : (Tonic + 3) % 12;
            var f = 7 * major % 12; // C=0, G=1, D=2, ... F=11 -> -1
            return f > 6 ? f - 12 : f;
        }
    }

    /// <summary>"C major", "F# minor" (the manifest's format).</summary>
    public override string ToString() => $"{PitchClass.Names[Tonic]} {(Mode == Mode.Major ? "major" : "minor")}";

    public static Key Parse(string text)
    {
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2) throw new FormatException($"'{text}' is not a key like 'F# minor'");
        var mode = parts[1].ToLowerInvariant() switch
        {
            "major" => Mode.Major,
            "minor" => Mode.Minor,
            _ => throw new FormatException($"'{text}': mode must be major or minor"),
        };
        return new Key(PitchClass.Parse(parts[0]), mode);
    }
}

/// <summary>A triad chord (root and quality) or no chord. Index 0..11 major, 12..23 minor, 24 = no chord.</summary>
public readonly record struct Chord(int Index)
{
    public const int NoChordIndex = 24;
    public static Chord None => new(NoChordIndex);
    public static Chord Major(int root) => new(((root % 12) + 12) % 12);
    public static Chord Minor(int root) => new(((root % 12) + 12) % 12 + 12);

    public bool IsNone => Index == NoChordIndex;
    public int Root => Index % 12;
    public Mode Quality => Index < 12 ? Mode.Major : Mode.Minor;

    /// <summary>The three pitch classes of the triad (empty for no chord).</summary>
    public int[] PitchClasses => IsNone ? [] : [Root, (Root + (Quality == Mode.Major ? 4 : 3)) % 12, (Root + 7) % 12];

    public override string ToString() => IsNone ? "N" : PitchClass.Names[Root] + (Quality == Mode.Minor ? "m" : "");
}
