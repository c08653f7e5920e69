using System.Text.Json;
using System.Text.Json.Serialization;

namespace StemGen.Data.Slakh;

/// <summary>
/// What an import wrote (manifest.json in the output folder): every imported track with its stems
/// and 1-minute segments, everything skipped with the reason, and totals. Training pairs and the
/// token cache read the dataset through it; file paths are relative to the manifest's folder.
/// </summary>
public sealed record ImportManifest
{
    public const string FileName = "manifest.json";
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public required string Source { get; init; }
    public DateTimeOffset Created { get; init; }
    public int SampleRate { get; init; }
    public double SegmentSeconds { get; init; }
    public double MinSegmentSeconds { get; init; }
    /// <summary>"flac24" or "wavf" (mono float WAV).</summary>
    public required string Format { get; init; }
    public IReadOnlyList<ImportedTrack> Tracks { get; init; } = [];
    public IReadOnlyList<SkipRecord> Skipped { get; init; } = [];
    public required ImportSummary Summary { get; init; }

    /// <summary>The folder the manifest was loaded from (null for one made in memory and not loaded).</summary>
    [JsonIgnore]
    public string? Root { get; init; }

    /// <summary>An absolute path for a path stored in the manifest.</summary>
    public string PathOf(string relative) =>
        Path.IsPathRooted(relative) ? relative : Path.Combine(Root ?? throw new InvalidOperationException("the manifest has no root folder"), relative);

    public IEnumerable<ImportedTrack> Split(string split) => Tracks.Where(t => t.Split == split);

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Loads DIR/manifest.json (or the given file).</summary>
    public static ImportManifest Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no import manifest (run `stemgen import` first)", file);
        var manifest = JsonSerializer.Deserialize<ImportManifest>(File.ReadAllText(file), Json)
            ?? throw new InvalidDataException($"{file}: empty manifest");
        if (manifest.Version != CurrentVersion) throw new InvalidDataException($"{file}: manifest version {manifest.Version}, this build reads {CurrentVersion}");
        return manifest with { Root = Path.GetDirectoryName(Path.GetFullPath(file)) };
    }

    public void Save(string path) => AtomicWrite.Text(path, JsonSerializer.Serialize(this, Json));

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>One imported song.</summary>
public sealed record ImportedTrack
{
    public required string Split { get; init; }
    public required string Id { get; init; }
    public string? Uuid { get; init; }
    /// <summary>The source track folder.</summary>
    public required string Source { get; init; }
    /// <summary>Length of the longest stem, seconds.</summary>
    public double Seconds { get; init; }
    public string? Key { get; init; }
    public double? Tempo { get; init; }
    public string? TimeSignature { get; init; }
    public string? Groove { get; init; }
    public IReadOnlyList<string>? Chords { get; init; }
    public IReadOnlyList<ImportedStem> Stems { get; init; } = [];
    public IReadOnlyList<ImportedSegment> Segments { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>"split/Track00001": unique within a dataset.</summary>
    [JsonIgnore]
    public string Name => $"{Split}/{Id}";

    public ImportedStem Stem(string id) => Stems.First(s => s.Id == id);
}

/// <summary>A usable stem of a track and its category (by the program-number rule).</summary>
public sealed record ImportedStem
{
    public required string Id { get; init; }
    public InstrumentCategory Category { get; init; }
    public int? Program { get; init; }
    public bool IsDrum { get; init; }
    public string? Name { get; init; }
    public double Seconds { get; init; }
}

/// <summary>A 1-minute (or shorter final) segment: the stems active in it, each a mono file at the import rate.</summary>
public sealed record ImportedSegment
{
    public int Index { get; init; }
    /// <summary>Start in the song, seconds.</summary>
    public double Start { get; init; }
    public int Frames { get; init; }
    public IReadOnlyList<SegmentStem> Stems { get; init; } = [];
}

/// <summary>One stem's audio within a segment.</summary>
/// <param name="Id">The track's stem id.</param>
/// <param name="File">Path relative to the manifest's folder.</param>
/// <param name="ActiveFraction">Fraction of 50 Hz frames above -60 dB RMS.</param>
public sealed record SegmentStem(string Id, string File, double ActiveFraction);

/// <summary>Why something was not imported.</summary>
public enum SkipReason
{
    /// <summary>The track folder has no metadata.yaml.</summary>
    MissingMetadata,
    /// <summary>metadata.yaml is not readable YAML.</summary>
    BadMetadata,
    /// <summary>The stem has audio_rendered: false.</summary>
    NotRendered,
    /// <summary>The stem is listed in metadata.yaml but its audio file is not there.</summary>
    MissingAudio,
    /// <summary>The audio file cannot be decoded.</summary>
    UnreadableAudio,
    /// <summary>No frame of the stem is above -60 dB RMS.</summary>
    Silent,
    /// <summary>No category: the program number is missing or outside 0-128.</summary>
    UnknownProgram,
    /// <summary>An audio file in the stems folder with no metadata entry and no MIDI file to tell its program.</summary>
    NotInMetadata,
    /// <summary>Fewer than two usable stems: no (context, target) pair can be made.</summary>
    TooFewStems,
    /// <summary>Shorter than one crop (20 s by default).</summary>
    TooShort,
    /// <summary>Anything else that went wrong with this track (the detail says what).</summary>
    Failed,
}

/// <param name="Track">"split/TrackNNNNN".</param>
/// <param name="Stem">The stem id, or null when the whole track was skipped.</param>
public sealed record SkipRecord(string Track, string? Stem, SkipReason Reason, string Detail)
{
    public override string ToString() => $"{Track}{(Stem is null ? "" : "/" + Stem)}: {Reason} ({Detail})";
}

/// <summary>Totals of an import.</summary>
public sealed record ImportSummary
{
    public int Tracks { get; init; }
    public int Segments { get; init; }
    /// <summary>Usable stems over all tracks.</summary>
    public int Stems { get; init; }
    /// <summary>Song hours in imported segments.</summary>
    public double Hours { get; init; }
    public int TracksSkipped { get; init; }
    public int StemsSkipped { get; init; }
    public IReadOnlyDictionary<string, SplitSummary> Splits { get; init; } = new Dictionary<string, SplitSummary>();
    /// <summary>Usable stems per category (all 18 listed, in index order).</summary>
    public IReadOnlyDictionary<InstrumentCategory, int> Categories { get; init; } = new Dictionary<InstrumentCategory, int>();
    /// <summary>Hours of stem audio per category (stem-segments active anywhere).</summary>
    public IReadOnlyDictionary<InstrumentCategory, double> CategoryHours { get; init; } = new Dictionary<InstrumentCategory, double>();
    public IReadOnlyDictionary<SkipReason, int> SkipCounts { get; init; } = new Dictionary<SkipReason, int>();

    public static ImportSummary Of(IReadOnlyList<ImportedTrack> tracks, IReadOnlyList<SkipRecord> skipped, int sampleRate)
    {
        double Hours(IEnumerable<ImportedTrack> ts) => ts.Sum(t => t.Segments.Sum(s => (double)s.Frames)) / sampleRate / 3600;
        var categoryHours = InstrumentCategories.All.ToDictionary(c => c, _ => 0.0);
        foreach (var track in tracks)
            foreach (var segment in track.Segments)
                foreach (var stem in segment.Stems)
                    categoryHours[track.Stem(stem.Id).Category] += (double)segment.Frames / sampleRate / 3600;
        return new ImportSummary
        {
            Tracks = tracks.Count,
            Segments = tracks.Sum(t => t.Segments.Count),
            Stems = tracks.Sum(t => t.Stems.Count),
            Hours = Hours(tracks),
            TracksSkipped = skipped.Count(s => s.Stem is null),
            StemsSkipped = skipped.Count(s => s.Stem is not null),
            Splits = tracks.GroupBy(t => t.Split).OrderBy(g => SplitOrder(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => new SplitSummary(g.Count(), g.Sum(t => t.Segments.Count), g.Sum(t => t.Stems.Count), Hours(g))),
            Categories = InstrumentCategories.All.ToDictionary(c => c, c => tracks.Sum(t => t.Stems.Count(s => s.Category == c))),
            CategoryHours = categoryHours,
            SkipCounts = skipped.GroupBy(s => s.Reason).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
        };
    }

    /// <summary>train, validation, test, omitted, then anything else.</summary>
    internal static int SplitOrder(string split) => split switch
    {
        "train" => 0,
        "validation" => 1,
        "test" => 2,
        "omitted" => 3,
        _ => 4,
    };
}

public sealed record SplitSummary(int Tracks, int Segments, int Stems, double Hours);
