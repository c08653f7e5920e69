using System.Text.RegularExpressions;

namespace StemGen.Data.Rendering;

/// <summary>
/// Common chord progressions in roman numerals, read relative to a key: "I | V | vi | IV" in A major
/// is A, E, F#m, D. Bars are separated by "|"; two numerals in one bar split it in half.
/// Numerals count scale degrees of the key (in minor, III is the relative major); case gives the
/// triad (upper major, lower minor), "b"/"#" prefixes alter the root, and suffixes "7", "maj7",
/// "m7b5", "dim", "sus4" pick the quality ("V7" dominant, "ii7" minor seventh).
/// </summary>
public static class ChordProgressions
{
    public static IReadOnlyList<string> Major { get; } =
    [
        "I | V | vi | IV",
        "I | vi | IV | V",
        "vi | IV | I | V",
        "I | IV | V | IV",
        "ii7 | V7 | Imaj7 | Imaj7",
        "I | IV | I | V",
        "I | vi | ii | V",
        "I | iii | IV | V",
        "IV | V | iii | vi",
        "I | V | IV | I",
        "I | bVII | IV | I",
        "I | IV | vi | V",
        "Imaj7 | IVmaj7 | iii7 | vi7",
        "I | ii | iii | IV",
        "I V | vi IV",
        "I | I | IV | IV | V | IV | I | V",
        "I7 | I7 | I7 | I7 | IV7 | IV7 | I7 | I7 | V7 | IV7 | I7 | V7",
        "I | vi | IV | Vsus4 V",
        "vi | V | IV | V",
        "I | V | vi | iii | IV | I | IV | V",
        "Imaj7 | vi7 | ii7 | V7",
        "IV | I | V | vi",
    ];

    public static IReadOnlyList<string> Minor { get; } =
    [
        "i | VI | III | VII",
        "i | iv | v | i",
        "i | VII | VI | VII",
        "i | VII | VI | V",
        "i | iv | VII | III",
        "i | VI | iv | V",
        "i | III | VII | iv",
        "i7 | iv7 | v7 | i7",
        "iim7b5 | V7 | i | i",
        "i | i | i | i | iv | iv | i | i | VI | V | i | V",
        "i | i | iv | V",
        "i | VI | VII | i",
        "VI | VII | i | i",
        "VI | iv | i | V",
        "i iv | VII III | VI iidim | V",
        "i | v | VI | III | iv | i | iv | V",
    ];

    private static readonly Regex Numeral = new(@"^(?<acc>[b#]?)(?<num>VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)(?<suffix>maj7|m7b5|dim|sus4|7)?$", RegexOptions.CultureInvariant);

    /// <summary>The progressions for a mode.</summary>
    public static IReadOnlyList<string> For(Mode mode) => mode == Mode.Major ? Major : Minor;

    /// <summary>Chords per bar of a progression in a key.</summary>
    public static IReadOnlyList<IReadOnlyList<Chord>> Realize(string progression, Key key)
    {
        var bars = new List<IReadOnlyList<Chord>>();
        foreach (var bar in progression.Split('|'))
        {
            var chords = bar.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => Parse(n, key)).ToList();
            if (chords.Count == 0) throw new FormatException($"empty bar in '{progression}'");
            bars.Add(chords);
        }
        return bars;
    }

    /// <summary>One numeral, e.g. "bVII", "ii7", "V7", "iim7b5".</summary>
    public static Chord Parse(string numeral, Key key)
    {
        var m = Numeral.Match(numeral);
        if (!m.Success) throw new FormatException($"'{numeral}' is not a roman numeral chord");
        var text = m.Groups["num"].Value;
        var upper = char.IsUpper(text[0]);
        var degree = Array.IndexOf(["I", "II", "III", "IV", "V", "VI", "VII"], text.ToUpperInvariant());
        var root = key.Tonic + key.Steps[degree] + m.Groups["acc"].Value switch { "b" => -1, "#" => 1, _ => 0 };
        var quality = m.Groups["suffix"].Value switch
        {
            "maj7" => ChordQuality.Major7,
            "m7b5" => ChordQuality.HalfDiminished7,
            "dim" => ChordQuality.Diminished,
            "sus4" => ChordQuality.Sus4,
            "7" => upper ? ChordQuality.Dominant7 : ChordQuality.Minor7,
            _ => upper ? ChordQuality.Major : ChordQuality.Minor,
        };
        return new Chord(Key.Mod12(root), quality);
    }

    /// <summary>
    /// The diatonic seventh chord for a triad, used to colour a whole song ("jazzier" songs):
    /// the dominant (V, and VII in minor) gets a 7, other major triads maj7, minor triads m7,
    /// diminished m7b5. Chords already with a seventh, suspended ones and chromatic roots stay.
    /// </summary>
    public static Chord WithSeventh(Chord chord, Key key)
    {
        var degree = Key.Mod12(chord.Root - key.Tonic);
        if (!key.Steps.Contains(degree)) return chord;
        return chord.Quality switch
        {
            ChordQuality.Major when degree == 7 || (key.Mode == Mode.Minor && degree == 10) => chord with { Quality = ChordQuality.Dominant7 },
            ChordQuality.Major => chord with { Quality = ChordQuality.Major7 },
            ChordQuality.Minor => chord with { Quality = ChordQuality.Minor7 },
            ChordQuality.Diminished => chord with { Quality = ChordQuality.HalfDiminished7 },
            _ => chord,
        };
    }
}
