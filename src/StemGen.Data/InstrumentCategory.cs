using System.Text;

namespace StemGen.Data;

/// <summary>
/// The 18 instrument categories of the paper's conditioning codebook (section 3: "18 General MIDI
/// instrument categories", an 18-entry trainable codebook). Indices 0-15 are the General MIDI
/// families in program order (family = program / 8), 16 is Drums (is_drum, or Slakh's program 128),
/// 17 is Other (user stems with no known category).
/// The numeric values are the codebook rows: trained checkpoints depend on them. Never reorder,
/// insert or remove a member; <see cref="InstrumentCategories.Count"/> stays 18.
/// </summary>
public enum InstrumentCategory
{
    Piano = 0,
    ChromaticPercussion = 1,
    Organ = 2,
    Guitar = 3,
    Bass = 4,
    Strings = 5,
    Ensemble = 6,
    Brass = 7,
    Reed = 8,
    Pipe = 9,
    SynthLead = 10,
    SynthPad = 11,
    SynthEffects = 12,
    Ethnic = 13,
    Percussive = 14,
    SoundEffects = 15,
    Drums = 16,
    Other = 17,
}

/// <summary>The category rule of docs/slakh.md, display names, parsing, and a guess from a file name.</summary>
public static class InstrumentCategories
{
    /// <summary>Rows of the conditioning codebook.</summary>
    public const int Count = 18;

    /// <summary>Slakh's program number for drums (General MIDI programs are 0-127).</summary>
    public const int DrumProgram = 128;

    /// <summary>All categories in index order.</summary>
    public static IReadOnlyList<InstrumentCategory> All { get; } = Enum.GetValues<InstrumentCategory>().OrderBy(c => (int)c).ToArray();

    private static readonly string[] Names =
    [
        "Piano", "Chromatic Percussion", "Organ", "Guitar", "Bass", "Strings", "Ensemble", "Brass", "Reed", "Pipe",
        "Synth Lead", "Synth Pad", "Synth Effects", "Ethnic", "Percussive", "Sound Effects", "Drums", "Other",
    ];

    /// <summary>The name used in manifests and the studio ("Chromatic Percussion", "Synth Lead").</summary>
    public static string DisplayName(this InstrumentCategory category) =>
        (int)category is >= 0 and < Count ? Names[(int)category] : throw new ArgumentOutOfRangeException(nameof(category), category, "not an instrument category");

    /// <summary>
    /// The category rule: Drums when <paramref name="isDrum"/> or the program is 128, otherwise the
    /// General MIDI family program / 8. Null for a program outside 0-128 (not a known instrument).
    /// </summary>
    public static InstrumentCategory? FromProgram(int program, bool isDrum = false)
    {
        if (isDrum || program == DrumProgram) return InstrumentCategory.Drums;
        if (program is < 0 or > 127) return null;
        return (InstrumentCategory)(program / 8);
    }

    /// <summary>
    /// Parses a category from its display name, its enum name or its index, ignoring case, spaces
    /// and punctuation. Also reads Slakh's <c>inst_class</c> spellings: "Strings (continued)" is the
    /// ensemble family (programs 48-55) and "Sound effects" is Sound Effects.
    /// </summary>
    public static InstrumentCategory? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var trimmed = text.Trim();
        if (int.TryParse(trimmed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            return index is >= 0 and < Count ? (InstrumentCategory)index : null;
        var key = Compact(trimmed);
        if (key == "stringscontinued") return InstrumentCategory.Ensemble;
        for (var i = 0; i < Count; i++)
            if (Compact(Names[i]) == key || Compact(((InstrumentCategory)i).ToString()) == key) return (InstrumentCategory)i;
        return null;
    }

    // Keywords in priority order: the first entry that matches any word of the name wins, so
    // "synth_bass" is Bass (GM's Synth Bass is in the bass family) and "steel_drums" is Percussive.
    // Compound entries (no spaces) also match the name with its separators removed ("HiHat", "hi-hat").
    private static readonly (string[] Keys, InstrumentCategory Category)[] Compounds =
    [
        (["steeldrum", "steeldrums", "steelpan", "woodblock", "taiko", "agogo", "melodictom", "synthdrum"], InstrumentCategory.Percussive),
        (["englishhorn", "cor anglais"], InstrumentCategory.Reed),
        (["frenchhorn"], InstrumentCategory.Brass),
        (["panflute", "panpipe", "panpipes", "tinwhistle"], InstrumentCategory.Pipe),
        (["synthbass", "bassguitar", "uprightbass", "doublebass", "electricbass", "acousticbass", "fretlessbass", "slapbass", "subbass", "bassline"], InstrumentCategory.Bass),
        (["hihat", "hihats", "overhead", "overheads", "drumkit", "drumloop"], InstrumentCategory.Drums),
        (["musicbox", "tubularbells"], InstrumentCategory.ChromaticPercussion),
        (["orchestrahit", "orchhit"], InstrumentCategory.Ensemble),
        (["synthpad", "stringpad", "warmpad"], InstrumentCategory.SynthPad),
        (["synthlead", "leadsynth"], InstrumentCategory.SynthLead),
        (["electricpiano", "epiano"], InstrumentCategory.Piano),
    ];

    private static readonly (string[] Words, InstrumentCategory Category)[] Keywords =
    [
        (["vocal", "vocals", "vox", "voc", "vocs", "voice", "singer", "sing", "rap", "bvs", "adlib", "adlibs"], InstrumentCategory.Other),
        (["bass", "basses", "sub", "bajo", "basse"], InstrumentCategory.Bass),
        (["drum", "drums", "kit", "kick", "kik", "bd", "snare", "snr", "sn", "hat", "hats", "hh", "cymbal", "cymbals", "crash",
          "ride", "tom", "toms", "oh", "room", "perc", "percussion", "percs", "shaker", "tambourine", "clap", "claps",
          "conga", "congas", "bongo", "bongos", "beat", "beats", "rim", "breakbeat"], InstrumentCategory.Drums),
        (["vibes", "vibraphone", "marimba", "xylophone", "glockenspiel", "glock", "celesta", "bells", "bell", "chimes", "dulcimer", "mallets"], InstrumentCategory.ChromaticPercussion),
        (["organ", "hammond", "accordion", "harmonica", "melodica", "harmonium"], InstrumentCategory.Organ),
        (["piano", "pno", "pn", "keys", "grand", "rhodes", "wurli", "wurlitzer", "ep", "clav", "clavinet", "harpsichord"], InstrumentCategory.Piano),
        (["guitar", "guitars", "gtr", "gtrs", "gt", "strat", "telecaster", "acoustic", "electric", "dist", "distortion", "overdrive", "riff"], InstrumentCategory.Guitar),
        (["violin", "violins", "viola", "violas", "cello", "cellos", "contrabass", "harp", "timpani", "pizz", "pizzicato"], InstrumentCategory.Strings),
        (["strings", "string", "str", "choir", "choirs", "voices", "orchestra", "orch", "ensemble", "aahs", "oohs"], InstrumentCategory.Ensemble),
        (["trumpet", "trumpets", "tpt", "trombone", "trombones", "tbn", "tuba", "horn", "horns", "brass", "flugelhorn", "cornet"], InstrumentCategory.Brass),
        (["sax", "saxophone", "alto", "tenor", "bari", "baritone", "soprano", "oboe", "bassoon", "clarinet", "reed", "reeds", "woodwind", "woodwinds"], InstrumentCategory.Reed),
        (["flute", "flutes", "piccolo", "recorder", "whistle", "ocarina", "shakuhachi", "pipe", "pipes"], InstrumentCategory.Pipe),
        (["lead", "leads", "synth", "synths", "syn", "arp", "arps", "pluck", "plucks"], InstrumentCategory.SynthLead),
        (["pad", "pads", "atmos"], InstrumentCategory.SynthPad),
        (["atmosphere", "texture", "textures", "soundtrack", "scifi"], InstrumentCategory.SynthEffects),
        (["sitar", "banjo", "shamisen", "koto", "kalimba", "bagpipe", "bagpipes", "fiddle", "shanai", "oud", "bouzouki", "mandolin"], InstrumentCategory.Ethnic),
        (["fx", "sfx", "noise", "riser", "risers", "impact", "impacts", "foley", "ambience", "applause", "whoosh"], InstrumentCategory.SoundEffects),
    ];

    /// <summary>
    /// A best guess from a user's stem file name, for the studio's upload form: "bass_DI.wav" is
    /// Bass, "Kick In.flac" Drums, "EP_Rhodes" Piano, "Strings" Ensemble (General MIDI's string
    /// ensemble family), "Violin 1" Strings. Words are split at separators, case changes and digits.
    /// Vocals have no General MIDI family and, like anything unrecognised, give Other.
    /// </summary>
    public static InstrumentCategory Suggest(string fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName)) return InstrumentCategory.Other;
        var name = Path.GetFileNameWithoutExtension(fileName.Trim());
        var words = Words(name);
        var compact = string.Concat(words);
        foreach (var (keys, category) in Compounds)
            if (keys.Any(k => k.Contains(' ') ? name.Contains(k, StringComparison.OrdinalIgnoreCase) : compact.Contains(k, StringComparison.Ordinal)))
                return category;
        foreach (var (keywords, category) in Keywords)
            if (words.Any(w => keywords.Contains(w)))
                return category;
        return InstrumentCategory.Other;
    }

    /// <summary>Lower-case words of a name: split at non-letters/digits, lower-to-upper case changes and letter/digit boundaries.</summary>
    internal static List<string> Words(string name)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length > 0) words.Add(current.ToString().ToLowerInvariant());
            current.Clear();
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }
            if (current.Length > 0)
            {
                var previous = name[i - 1];
                var caseChange = char.IsLower(previous) && char.IsUpper(c);
                var digitChange = char.IsDigit(previous) != char.IsDigit(c);
                if (caseChange || digitChange) Flush();
            }
            current.Append(c);
        }
        Flush();
        return words;
    }

    private static string Compact(string text) => new string(text.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
}
