using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StemGen.Evaluation.Coherence;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Mirdd;

namespace StemGen.Evaluation.Suite;

/// <summary>The sampling settings of a point, flat for reading and for the CSV.</summary>
public sealed record SamplingSummary(double LambdaA, double LambdaI, string Guidance, double Wc, double Ws, double Wr, IReadOnlyList<int> Steps, double Temperature);

/// <summary>
/// The metrics of one sampling setting. <see cref="ByCategory"/>: per target category, low-frequency share of
/// generated and real stems and onset / key coherence (generated, generated against another song's context,
/// mismatched, real); <see cref="Pitched"/> the same pooled over the pitched categories (the generalization check's figures).
/// </summary>
public sealed record PointResult(string Name, string Table, string Cell, SamplingSummary Sampling, int Examples, FadReport Fad, MirddResult Mirdd,
    CoherenceSummary Generated, CoherenceSummary Real, CoherenceSummary? Mismatched, double GenerationSeconds,
    IReadOnlyList<CategoryFigures>? ByCategory = null, CategoryFigures? Pitched = null);

/// <summary>A table cell averaged over its points (the paper's Table 1 averages the "> 1" cells over several scales).</summary>
/// <remarks>KadTimes1000 is null unless every point of the cell has a KAD at one bandwidth.</remarks>
public sealed record CellAverage(string Table, string Cell, int Points, double Fad, double Mirdd, double? KadTimes1000 = null);

/// <summary>What `stemgen evaluate` writes: the run's inputs, every point, and cell averages.</summary>
public sealed record EvaluationReport
{
    public required string Dataset { get; init; }
    public required string Split { get; init; }
    public required string Generator { get; init; }
    public required string Device { get; init; }
    public required string Embedding { get; init; }
    public required string EmbeddingDescription { get; init; }
    public required int Examples { get; init; }
    public required double ClipSeconds { get; init; }
    public required long Seed { get; init; }
    public required IReadOnlyDictionary<string, int> Categories { get; init; }
    public required IReadOnlyList<PointResult> Points { get; init; }
    public IReadOnlyList<CellAverage> Cells => Points.GroupBy(p => (p.Table, p.Cell))
        .Select(g => new CellAverage(g.Key.Table, g.Key.Cell, g.Count(), g.Average(p => p.Fad.Fad), g.Average(p => p.Mirdd.Mirdd),
            g.All(p => p.Fad.Kad is not null) && g.Select(p => p.Fad.Kad!.Bandwidth).Distinct().Count() == 1 ? g.Average(p => p.Fad.Kad!.KadTimes1000) : null)).ToList();
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Which set this report is of when it is one of two (<see cref="InDistributionSet"/> or <see cref="HeldOutSet"/>); absent for a single set.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Set { get; init; }

    /// <summary>The same plan run on a second (held-out) dataset, e.g. a split rendered with a SoundFont no training song used; absent without one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EvaluationReport? HeldOut { get; init; }

    public const string InDistributionSet = "in-distribution";
    public const string HeldOutSet = "held-out";

    /// <summary>This report and its held-out one, each with its set name (a single report gives itself, named in-distribution).</summary>
    public IEnumerable<(string Set, EvaluationReport Report)> Sets()
    {
        yield return (Set ?? InDistributionSet, this);
        if (HeldOut is not null) yield return (HeldOut.Set ?? HeldOutSet, HeldOut);
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A report read back from <see cref="ToJson"/> (the studio keeps reports as JSON).</summary>
    public static EvaluationReport FromJson(string json) =>
        JsonSerializer.Deserialize<EvaluationReport>(json, Json) ?? throw new InvalidDataException("the report JSON is empty");

    /// <summary>One row per point: settings, FAD (with the embedding named) and KAD x1000 with its bandwidth, MIRDD and each descriptor, coherence of generated / real / mismatched.</summary>
    /// <remarks>With a held-out report, a first column "set" names each row's set and the held-out rows follow.</remarks>
    public string ToCsv()
    {
        var withSet = HeldOut is not null;
        var descriptors = Sets().SelectMany(s => s.Report.Points).FirstOrDefault()?.Mirdd.Descriptors.Select(d => d.Descriptor).ToList() ?? [];
        string[] coherence = ["key", "chord_agreement", "chord_tones", "onset_alignment", "tempo_match"];
        var header = new List<string> { "name", "table", "cell", "lambda_a", "lambda_i", "w_c", "w_s", "w_r", "steps", "examples", "embedding", "fad", "fad_inf",
            "kad_x1000", "kad_bandwidth", "fad_n_reference", "fad_n_test", "clip_seconds", "mirdd" };
        header.AddRange(descriptors.Select(d => "mirdd_" + d));
        foreach (var population in new[] { "generated", "real", "mismatched" }) header.AddRange(coherence.Select(c => $"{population}_{c}"));
        header.Add("generation_seconds");
        if (withSet) header.Insert(0, "set");
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', header));
        foreach (var (set, p) in Sets().SelectMany(s => s.Report.Points.Select(p => (s.Set, p))))
        {
            var row = new List<string>
            {
                Quote(p.Name), p.Table, Quote(p.Cell), F(p.Sampling.LambdaA), F(p.Sampling.LambdaI), F(p.Sampling.Wc), F(p.Sampling.Ws), F(p.Sampling.Wr),
                Quote(string.Join(' ', p.Sampling.Steps)), p.Examples.ToString(CultureInfo.InvariantCulture), p.Fad.Embedding, F(p.Fad.Fad), F(p.Fad.FadInfinity ?? double.NaN),
                F(p.Fad.Kad?.KadTimes1000 ?? double.NaN), F(p.Fad.Kad?.Bandwidth ?? double.NaN),
                p.Fad.ReferenceEmbeddings.ToString(CultureInfo.InvariantCulture), p.Fad.TestEmbeddings.ToString(CultureInfo.InvariantCulture), F(p.Fad.ClipSeconds), F(p.Mirdd.Mirdd),
            };
            row.AddRange(descriptors.Select(d => F(p.Mirdd.Descriptors.FirstOrDefault(x => x.Descriptor == d)?.Kl ?? double.NaN)));
            foreach (var c in new[] { p.Generated, p.Real, p.Mismatched })
                row.AddRange(c is null ? coherence.Select(_ => "") : [F(c.KeyScore), F(c.ChordAgreement), F(c.ChordToneRatio), F(c.OnsetAlignment), F(c.TempoMatch)]);
            row.Add(F(p.GenerationSeconds));
            if (withSet) row.Insert(0, set);
            csv.AppendLine(string.Join(',', row));
        }
        return csv.ToString();
    }

    /// <summary>
    /// One row per set, setting and target category (plus the pooled "pitched" row): low-frequency share of
    /// generated and real stems, onset alignment and key score of the generated stem with its own context,
    /// with another song's context, of the mismatched and of the real stem.
    /// </summary>
    public string ToCategoryCsv()
    {
        var csv = new StringBuilder();
        csv.AppendLine("set,name,table,cell,category,examples,low_share_generated,low_share_real,onset_generated,onset_other_context,onset_mismatched,onset_real," +
                       "key_generated,key_other_context,key_mismatched,key_real");
        foreach (var (set, report) in Sets())
            foreach (var p in report.Points)
                foreach (var c in (p.ByCategory ?? []).Concat(p.Pitched is null ? [] : [p.Pitched]))
                    csv.AppendLine(string.Join(',', set, Quote(p.Name), p.Table, Quote(p.Cell), c.Category, c.Examples.ToString(CultureInfo.InvariantCulture),
                        F(c.LowShareGenerated), F(c.LowShareReal), F(c.OnsetGenerated), F(c.OnsetOtherContext), F(c.OnsetMismatched), F(c.OnsetReal),
                        F(c.KeyGenerated), F(c.KeyOtherContext), F(c.KeyMismatched), F(c.KeyReal)));
        return csv.ToString();
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.######", CultureInfo.InvariantCulture) : "";
    private static string Quote(string s) => s.Contains(',') || s.Contains('"') || s.Contains(' ') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
