using System.Text.RegularExpressions;

namespace StemGen.Data.Rendering;

public enum Mode { Major, Minor }

/// <summary>A key: tonic pitch class (0 = C) and mode. Spelling follows the key signature (F major has Bb, not A#).</summary>
public readonly record struct Key(int Tonic, Mode Mode)
{
    private static readonly string[] Sharps = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
    private static readonly string[] Flats = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"];

    // Natural minor for melodies; chords borrow the harmonic minor's V (see ChordProgressions).
    private static readonly int[] MajorSteps = [0, 2, 4, 5, 7, 9, 11];
    private static readonly int[] MinorSteps = [0, 2, 3, 5, 7, 8, 10];

    /// <summary>Semitones above the tonic of the seven scale degrees.</summary>
    public IReadOnlyList<int> Steps => Mode == Mode.Major ? MajorSteps : MinorSteps;

    /// <summary>The pitch classes of the scale.</summary>
    public IReadOnlyList<int> PitchClasses
    {
        get
        {
            var tonic = Tonic;
            return Steps.Select(s => (tonic + s) % 12).ToArray();
        }
    }

    public bool InScale(int pitch) => PitchClasses.Contains(Mod12(pitch));

    /// <summary>Flat keys (F, Bb, Eb, Ab, Db, Gb major; D, G, C, F, Bb, Eb minor) spell with flats.</summary>
    public bool UsesFlats
    {
        get
        {
            var major = Mode == Mode.Major ? Tonic : Mod12(Tonic + 3);
            return major is 5 or 10 or 3 or 8 or 1 or 6;
        }
    }

    public string NoteName(int pitchClass) => (UsesFlats ? Flats : Sharps)[Mod12(pitchClass)];

    /// <summary>"A minor", "Eb major".</summary>
    public override string ToString() => $"{NoteName(Tonic)} {(Mode == Mode.Major ? "major" : "minor")}";

    /// <summary>mma's KeySig argument: "Eb major", "F# minor" (mma 21.09 refuses "F#m").</summary>
    public string MmaKeySig => ToString();

    /// <summary>Sharps (positive) or flats (negative) of the signature, for the MIDI key-signature event.</summary>
    public int SharpsOrFlats
    {
        get
        {
            var major = Mode == Mode.Major ? Tonic : Mod12(Tonic + 3);
            var fifths = Mod12(major * 7); // C=0, G=1, D=2, ... F=11
            return fifths > 6 || (fifths == 6 && UsesFlats) ? fifths - 12 : fifths;
        }
    }

    internal static int Mod12(int x) => ((x % 12) + 12) % 12;

    /// <summary>Reads "A minor", "Eb major", "F#m", "C".</summary>
    public static Key Parse(string text)
    {
        var m = Regex.Match(text.Trim(), @"^([A-Ga-g])([#b]?)\s*(major|minor|maj|min|m)?$", RegexOptions.CultureInvariant);
        if (!m.Success) throw new FormatException($"'{text}' is not a key (e.g. \"A minor\", \"Eb major\")");
        var pc = "C D EF G A B".IndexOf(char.ToUpperInvariant(m.Groups[1].Value[0]));
        pc += m.Groups[2].Value switch { "#" => 1, "b" => -1, _ => 0 };
        var minor = m.Groups[3].Value is "minor" or "min" or "m";
        return new Key(Mod12(pc), minor ? Mode.Minor : Mode.Major);
    }
}

public enum ChordQuality { Major, Minor, Diminished, Dominant7, Major7, Minor7, HalfDiminished7, Sus4 }

/// <summary>A chord: root pitch class and quality.</summary>
public readonly record struct Chord(int Root, ChordQuality Quality)
{
    /// <summary>Semitones above the root.</summary>
    public IReadOnlyList<int> Intervals => Quality switch
    {
        ChordQuality.Major => [0, 4, 7],
        ChordQuality.Minor => [0, 3, 7],
        ChordQuality.Diminished => [0, 3, 6],
        ChordQuality.Dominant7 => [0, 4, 7, 10],
        ChordQuality.Major7 => [0, 4, 7, 11],
        ChordQuality.Minor7 => [0, 3, 7, 10],
        ChordQuality.HalfDiminished7 => [0, 3, 6, 10],
        ChordQuality.Sus4 => [0, 5, 7],
        _ => [0, 4, 7],
    };

    public IReadOnlyList<int> PitchClasses
    {
        get
        {
            var root = Root;
            return Intervals.Select(i => Key.Mod12(root + i)).ToArray();
        }
    }

    public bool Contains(int pitch) => PitchClasses.Contains(Key.Mod12(pitch));

    /// <summary>The symbol mma reads and metadata records: "Bb", "F#m7", "Cmaj7", "Bm7b5", "Ddim", "Gsus4".</summary>
    public string Symbol(Key key) => key.NoteName(Root) + Quality switch
    {
        ChordQuality.Major => "",
        ChordQuality.Minor => "m",
        ChordQuality.Diminished => "dim",
        ChordQuality.Dominant7 => "7",
        ChordQuality.Major7 => "maj7",
        ChordQuality.Minor7 => "m7",
        ChordQuality.HalfDiminished7 => "m7b5",
        ChordQuality.Sus4 => "sus4",
        _ => "",
    };
}
