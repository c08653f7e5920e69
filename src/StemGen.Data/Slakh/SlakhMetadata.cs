using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StemGen.Data.Slakh;

/// <summary>
/// One entry of <c>stems:</c> in a Slakh metadata.yaml, with Slakh's field names
/// (docs/slakh.md). Every field may be missing in a damaged file.
/// </summary>
public sealed record SlakhStem
{
    /// <summary>The stem id, "S00", "S01", ...: also the audio and MIDI file names.</summary>
    public required string Id { get; init; }

    /// <summary><c>audio_rendered</c>: false means Slakh made no audio file for this stem. Missing counts as true.</summary>
    public bool AudioRendered { get; init; } = true;

    /// <summary><c>inst_class</c>: Slakh's class name. Informative only: categories come from the program number.</summary>
    public string? InstClass { get; init; }

    /// <summary><c>integrated_loudness</c>: LUFS of the rendered stem before normalisation.</summary>
    public double? IntegratedLoudness { get; init; }

    /// <summary><c>is_drum</c>.</summary>
    public bool IsDrum { get; init; }

    /// <summary><c>midi_program_name</c>, e.g. "Distortion Guitar".</summary>
    public string? MidiProgramName { get; init; }

    /// <summary><c>midi_saved</c>: whether MIDI/SNN.mid exists.</summary>
    public bool MidiSaved { get; init; } = true;

    /// <summary><c>plugin_name</c>: the patch that rendered it (ours: the SoundFont file name).</summary>
    public string? PluginName { get; init; }

    /// <summary><c>program_num</c>: 0-based General MIDI program, 128 for drums; null when missing or not a number.</summary>
    public int? ProgramNum { get; init; }

    /// <summary>Ours, not Slakh's: which part of the generated song this stem is (the mma track, or "Melody").</summary>
    public string? Part { get; init; }

    /// <summary><c>mixing</c> (ours): the random mixing a varied dataset gave this stem (<see cref="Rendering.StemMix"/>), e.g. "level -3.0 dB, tilt +1.5 dB, reverb 0.55/0.30, chorus 1.2, fold 0.45".</summary>
    public string? Mixing { get; init; }

    /// <summary>
    /// The category by the program-number rule; when the program is missing, Slakh's
    /// <c>inst_class</c> spelling is tried. Null for an unknown program number.
    /// </summary>
    public InstrumentCategory? Category =>
        IsDrum ? InstrumentCategory.Drums
        : ProgramNum is { } program ? InstrumentCategories.FromProgram(program)
        : InstrumentCategories.Parse(InstClass);
}

/// <summary>
/// A Slakh2100 / BabySlakh metadata.yaml (real field names), plus the fields our own renderer adds
/// about the song: key, tempo, time signature, chords (one entry per bar), groove, seed.
/// Reading is defensive: stray bytes before the YAML, missing or mistyped fields and unknown program
/// numbers give <see cref="Warnings"/>, not exceptions; only text that is not YAML at all throws
/// <see cref="SlakhFormatException"/>.
/// </summary>
public sealed record SlakhMetadata
{
    public string? Uuid { get; init; }
    public string AudioDir { get; init; } = "stems";
    public string MidiDir { get; init; } = "MIDI";
    public string? LmdMidiDir { get; init; }
    public double? NormalizationFactor { get; init; }
    public bool? Normalized { get; init; }
    public double? OverallGain { get; init; }
    public double? TargetPeak { get; init; }
    public IReadOnlyList<SlakhStem> Stems { get; init; } = [];

    // Ours: what the song is, so a generated stem can later be checked against its context.
    public string? Key { get; init; }
    public double? Tempo { get; init; }
    public string? TimeSignature { get; init; }
    public IReadOnlyList<string>? Chords { get; init; }
    public string? Groove { get; init; }
    public long? Seed { get; init; }
    public string? Generator { get; init; }
    public double? Duration { get; init; }

    /// <summary>What was odd about the file (stray bytes, missing fields, unknown programs).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public SlakhStem? Stem(string id) => Stems.FirstOrDefault(s => s.Id == id);

    /// <summary>Reads a metadata.yaml (any encoding junk before the first key is skipped with a warning).</summary>
    public static SlakhMetadata Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SlakhFormatException($"{path}: cannot read: {e.Message}", e);
        }
        return Parse(bytes, path);
    }

    public static SlakhMetadata Parse(byte[] bytes, string source = "metadata.yaml")
    {
        // Invalid UTF-8 (a stray 0xFF) becomes U+FFFD and is stripped as junk below.
        var text = new UTF8Encoding(false, false).GetString(bytes);
        return Parse(text, source);
    }

    private static readonly Regex FirstKey = new(@"[A-Za-z_][A-Za-z0-9_]*[ \t]*:(\s|$)", RegexOptions.CultureInvariant);

    public static SlakhMetadata Parse(string text, string source = "metadata.yaml")
    {
        ArgumentNullException.ThrowIfNull(text);
        var warnings = new List<string>();
        var body = StripLeadingJunk(text, out var skipped);
        if (skipped > 0) warnings.Add($"skipped {skipped} stray character{(skipped == 1 ? "" : "s")} before the YAML");

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(body));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
                throw new SlakhFormatException($"{source}: not a YAML mapping of metadata fields");
            root = mapping;
        }
        catch (YamlException e)
        {
            throw new SlakhFormatException($"{source}: not valid YAML ({e.Start}): {e.Message}", e);
        }

        var fields = new Fields(root, warnings, "");
        var stems = new List<SlakhStem>();
        if (fields.Node("stems") is YamlMappingNode stemNodes)
        {
            foreach (var (keyNode, valueNode) in stemNodes.Children)
            {
                var id = (keyNode as YamlScalarNode)?.Value?.Trim();
                if (string.IsNullOrEmpty(id))
                {
                    warnings.Add("a stem without an id was ignored");
                    continue;
                }
                if (valueNode is not YamlMappingNode stemMapping)
                {
                    warnings.Add($"{id}: no fields; read as a stem with unknown program");
                    stems.Add(new SlakhStem { Id = id });
                    continue;
                }
                var f = new Fields(stemMapping, warnings, id + ".");
                var stem = new SlakhStem
                {
                    Id = id,
                    AudioRendered = f.Bool("audio_rendered") ?? true,
                    InstClass = f.String("inst_class"),
                    IntegratedLoudness = f.Double("integrated_loudness"),
                    IsDrum = f.Bool("is_drum") ?? false,
                    MidiProgramName = f.String("midi_program_name"),
                    MidiSaved = f.Bool("midi_saved") ?? true,
                    PluginName = f.String("plugin_name"),
                    ProgramNum = f.Int("program_num"),
                    Part = f.String("part"),
                    Mixing = f.String("mixing"),
                };
                if (stem.ProgramNum is null && !stem.IsDrum) warnings.Add($"{id}: no program_num");
                else if (stem.ProgramNum is { } p && InstrumentCategories.FromProgram(p, stem.IsDrum) is null)
                    warnings.Add($"{id}: unknown program number {p}");
                stems.Add(stem);
            }
        }
        else warnings.Add("no stems: mapping");

        var chords = fields.Node("chords") switch
        {
            YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Select(n => n.Value ?? "").ToList(),
            YamlScalarNode scalar when !string.IsNullOrWhiteSpace(scalar.Value) => scalar.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(),
            _ => null,
        };

        return new SlakhMetadata
        {
            Uuid = fields.String("UUID"),
            AudioDir = fields.String("audio_dir") ?? "stems",
            MidiDir = fields.String("midi_dir") ?? "MIDI",
            LmdMidiDir = fields.String("lmd_midi_dir"),
            NormalizationFactor = fields.Double("normalization_factor"),
            Normalized = fields.Bool("normalized"),
            OverallGain = fields.Double("overall_gain"),
            TargetPeak = fields.Double("target_peak"),
            Stems = stems.OrderBy(s => s.Id, StringComparer.Ordinal).ToList(),
            Key = fields.String("key"),
            Tempo = fields.Double("tempo"),
            TimeSignature = fields.String("time_signature"),
            Chords = chords,
            Groove = fields.String("groove"),
            Seed = fields.Long("seed"),
            Generator = fields.String("generator"),
            Duration = fields.Double("duration"),
            Warnings = warnings,
        };
    }

    /// <summary>
    /// Drops anything before the first line that starts a "key:" entry (BOM, NUL, a stray byte on its
    /// own line or glued to the first key). Comment and document-start lines before it go too: harmless.
    /// </summary>
    internal static string StripLeadingJunk(string text, out int skipped)
    {
        var start = 0;
        while (start < text.Length)
        {
            var lineEnd = text.IndexOf('\n', start);
            if (lineEnd < 0) lineEnd = text.Length;
            var line = text.AsSpan(start, lineEnd - start);
            var trimmed = line.TrimStart();
            if (trimmed.Length > 0 && trimmed[0] != '#' && !trimmed.StartsWith("---"))
            {
                var match = FirstKey.Match(text, start, lineEnd - start);
                if (match.Success)
                {
                    // Junk glued to the key ("\u0001UUID: ...") goes; indentation cannot precede a top-level key.
                    skipped = CountJunk(text.AsSpan(0, match.Index));
                    return text[match.Index..];
                }
            }
            start = lineEnd + 1;
        }
        skipped = CountJunk(text);
        return "";
    }

    private static int CountJunk(ReadOnlySpan<char> prefix)
    {
        // Whitespace, comments and "---" are valid YAML, not junk; count the rest.
        var count = 0;
        foreach (var line in prefix.ToString().Split('\n'))
        {
            var t = line.Trim();
            if (t.Length == 0 || t.StartsWith('#') || t == "---") continue;
            count += t.Length;
        }
        return count;
    }

    /// <summary>Writes the file with Slakh's field names in Slakh's (alphabetical) order, atomically.</summary>
    public void Save(string path) => AtomicWrite.Text(path, ToYaml());

    public string ToYaml()
    {
        var top = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Put(string key, string? value)
        {
            if (value is not null) top[key] = value;
        }
        Put("UUID", Uuid is null ? null : Scalar(Uuid));
        Put("audio_dir", Scalar(AudioDir));
        Put("midi_dir", Scalar(MidiDir));
        Put("lmd_midi_dir", LmdMidiDir is null ? null : Scalar(LmdMidiDir));
        Put("normalization_factor", Number(NormalizationFactor));
        Put("normalized", Bool(Normalized));
        Put("overall_gain", Number(OverallGain));
        Put("target_peak", Number(TargetPeak));
        Put("key", Key is null ? null : Scalar(Key));
        Put("tempo", Number(Tempo));
        Put("time_signature", TimeSignature is null ? null : Scalar(TimeSignature));
        Put("chords", Chords is null ? null : "[" + string.Join(", ", Chords.Select(Scalar)) + "]");
        Put("groove", Groove is null ? null : Scalar(Groove));
        Put("seed", Seed?.ToString(CultureInfo.InvariantCulture));
        Put("generator", Generator is null ? null : Scalar(Generator));
        Put("duration", Number(Duration));

        top["stems"] = StemsBlock();

        var sb = new StringBuilder();
        foreach (var (key, value) in top)
            sb.Append(key).Append(':').Append(value.StartsWith('\n') ? "" : " ").Append(value).Append('\n');
        return sb.ToString();
    }

    /// <summary>The stems mapping as a block (starting with a newline), or an empty flow mapping.</summary>
    private string StemsBlock()
    {
        if (Stems.Count == 0) return "{}";
        var sb = new StringBuilder();
        foreach (var stem in Stems.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            sb.Append("\n  ").Append(Scalar(stem.Id)).Append(':');
            var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["audio_rendered"] = Bool(stem.AudioRendered)!,
                ["is_drum"] = Bool(stem.IsDrum)!,
                ["midi_saved"] = Bool(stem.MidiSaved)!,
            };
            if (stem.InstClass is not null) fields["inst_class"] = Scalar(stem.InstClass);
            if (stem.IntegratedLoudness is not null) fields["integrated_loudness"] = Number(stem.IntegratedLoudness)!;
            if (stem.MidiProgramName is not null) fields["midi_program_name"] = Scalar(stem.MidiProgramName);
            if (stem.PluginName is not null) fields["plugin_name"] = Scalar(stem.PluginName);
            if (stem.ProgramNum is not null) fields["program_num"] = stem.ProgramNum.Value.ToString(CultureInfo.InvariantCulture);
            if (stem.Part is not null) fields["part"] = Scalar(stem.Part);
            if (stem.Mixing is not null) fields["mixing"] = Scalar(stem.Mixing);
            foreach (var (key, value) in fields) sb.Append("\n    ").Append(key).Append(": ").Append(value);
        }
        return sb.ToString();
    }

    private static readonly Regex Plain = new(@"^[A-Za-z][A-Za-z0-9_.()+/\-]*( [A-Za-z0-9_.()+/\-]+)*$", RegexOptions.CultureInvariant);
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "true", "false", "yes", "no", "on", "off", "null", "y", "n" };

    /// <summary>A plain scalar when that reads back as the same string, otherwise a double-quoted one.</summary>
    internal static string Scalar(string value)
    {
        if (Plain.IsMatch(value) && !Reserved.Contains(value)) return value;
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ': sb.Append($"\\x{(int)c:X2}"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static string? Number(double? value) => value switch
    {
        null => null,
        { } v when double.IsNaN(v) => ".nan",
        { } v when double.IsPositiveInfinity(v) => ".inf",
        { } v when double.IsNegativeInfinity(v) => "-.inf",
        // Always with a decimal point, like PyYAML's floats (-13.0), so the type survives a round trip.
        { } v => v == Math.Floor(v) && Math.Abs(v) < 1e15 ? v.ToString("0.0", CultureInfo.InvariantCulture) : v.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string? Bool(bool? value) => value switch { null => null, true => "true", false => "false" };

    /// <summary>Typed access to a mapping's scalars; wrong types become warnings and nulls.</summary>
    private sealed class Fields(YamlMappingNode mapping, List<string> warnings, string prefix)
    {
        public YamlNode? Node(string key)
        {
            foreach (var (k, v) in mapping.Children)
                if (k is YamlScalarNode s && s.Value == key) return v;
            return null;
        }

        private string? Raw(string key)
        {
            var node = Node(key);
            switch (node)
            {
                case null:
                    return null;
                case YamlScalarNode scalar:
                    return scalar.Style == ScalarStyle.Plain && (scalar.Value is "~" or "null" or "Null" or "NULL" or "") ? null : scalar.Value;
                default:
                    warnings.Add($"{prefix}{key}: expected a single value");
                    return null;
            }
        }

        public string? String(string key) => Raw(key);

        public bool? Bool(string key)
        {
            var raw = Raw(key);
            if (raw is null) return null;
            switch (raw.Trim().ToLowerInvariant())
            {
                case "true" or "yes" or "on" or "y" or "1": return true;
                case "false" or "no" or "off" or "n" or "0": return false;
                default:
                    warnings.Add($"{prefix}{key}: '{raw}' is not true or false");
                    return null;
            }
        }

        public double? Double(string key)
        {
            var raw = Raw(key)?.Trim();
            if (raw is null) return null;
            switch (raw.ToLowerInvariant())
            {
                case ".nan": return double.NaN;
                case ".inf" or "+.inf": return double.PositiveInfinity;
                case "-.inf": return double.NegativeInfinity;
            }
            if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
            warnings.Add($"{prefix}{key}: '{raw}' is not a number");
            return null;
        }

        public int? Int(string key)
        {
            var value = Double(key);
            if (value is null) return null;
            if (double.IsFinite(value.Value) && value.Value == Math.Floor(value.Value) && Math.Abs(value.Value) <= int.MaxValue) return (int)value.Value;
            warnings.Add($"{prefix}{key}: {value} is not a whole number");
            return null;
        }

        public long? Long(string key)
        {
            var raw = Raw(key)?.Trim();
            if (raw is null) return null;
            if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
            warnings.Add($"{prefix}{key}: '{raw}' is not a whole number");
            return null;
        }
    }
}

/// <summary>A metadata.yaml that cannot be read as YAML at all.</summary>
public sealed class SlakhFormatException(string message, Exception? inner = null) : Exception(message, inner);
