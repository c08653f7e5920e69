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

/// <summary>The metrics of one sampling setting.</summary>
public sealed record PointResult(string Name, string Table, string Cell, SamplingSummary Sampling, int Examples, FadReport Fad, MirddResult Mirdd,
    CoherenceSummary Generated, CoherenceSummary Real, CoherenceSummary? Mismatched, double GenerationSeconds);

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
    public string ToCsv()
    {
        var descriptors = Points.Count == 0 ? [] : Points[0].Mirdd.Descriptors.Select(d => d.Descriptor).ToList();
        string[] coherence = ["key", "chord_agreement", "chord_tones", "onset_alignment", "tempo_match"];
        var header = new List<string> { "name", "table", "cell", "lambda_a", "lambda_i", "w_c", "w_s", "w_r", "steps", "examples", "embedding", "fad", "fad_inf",
            "kad_x1000", "kad_bandwidth", "fad_n_reference", "fad_n_test", "clip_seconds", "mirdd" };
        header.AddRange(descriptors.Select(d => "mirdd_" + d));
        foreach (var population in new[] { "generated", "real", "mismatched" }) header.AddRange(coherence.Select(c => $"{population}_{c}"));
        header.Add("generation_seconds");
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', header));
        foreach (var p in Points)
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
            csv.AppendLine(string.Join(',', row));
        }
        return csv.ToString();
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.######", CultureInfo.InvariantCulture) : "";
    private static string Quote(string s) => s.Contains(',') || s.Contains('"') || s.Contains(' ') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
