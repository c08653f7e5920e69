using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using StemGen.Evaluation.Coherence;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Mirdd;
using StemGen.Evaluation.Suite;
using StemGen.Web.Components.Admin;

namespace StemGen.Web.Tests.Components;

/// <summary>The evaluation tables in the paper's layout, from a report whose numbers are chosen so each cell is known.</summary>
public sealed class EvaluationTablesTests : IAsyncLifetime
{
    private readonly BunitContext context = new();

    public EvaluationTablesTests()
    {
        context.Services.AddMudServices();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await context.DisposeAsync();

    private static readonly CoherenceSummary Coherent = new("generated", 4, 0.5, 0.4, 0.3, 0.2, 0.1, new Dictionary<string, int>());

    private static PointResult Point(string table, string cell, double la, double li, double fad, double mirdd) => new(
        $"{table} {cell} {la}", table, cell, new SamplingSummary(la, li, "joint", 0.1, 0.1, 1, [2, 1, 1, 1], 1), 4,
        new FadReport("logmel-stats", "test", fad, 4, 4, 4, 4, 2),
        new MirddResult(mirdd, [new DescriptorDistance("pitch_range", mirdd / 2, 4, 4), new DescriptorDistance("key_signature", mirdd * 2, 4, 4)], "KL", 1e-4),
        Coherent, Coherent with { Population = "real", KeyScore = 0.9 }, Coherent with { Population = "mismatched", KeyScore = 0.2 }, 1);

    /// <summary>Table 1 with two scales in each "> 1" cell (averaged), table 3 and the baseline.</summary>
    private static EvaluationReport Report(double shift = 0) => new()
    {
        Dataset = "tiny", Split = "test", Generator = "test", Device = "cpu", Embedding = "logmel-stats", EmbeddingDescription = "test", Examples = 4,
        ClipSeconds = 2, Seed = 1, Categories = new Dictionary<string, int>(),
        Points =
        [
            Point("table1", "li=1 la=1", 1, 1, 10 + shift, 1),
            Point("table1", "li>1 la=1", 1, 2, 20, 2), Point("table1", "li>1 la=1", 1, 4, 30, 4),
            Point("table1", "li=1 la>1", 2, 1, 40, 1), Point("table1", "li=1 la>1", 4, 1, 60, 3),
            Point("table1", "li>1 la>1", 2, 2, 5, 0.5), Point("table1", "li>1 la>1", 4, 4, 7, 1.5),
            Point("table3", "naive", 1, 1, 12, 1.2), Point("table3", "best", 3, 3, 6, 0.6),
            Point("baseline", "mismatched", double.NaN, double.NaN, 3, 2.5),
        ],
    };

    private static string Cell(IRenderedComponent<EvaluationTables> tables, string table, string row, int column) =>
        tables.FindAll($"#{table} tbody tr[data-row='{row}'] td")[column].TextContent.Trim();

    [Fact]
    public void Table_1_has_lambda_i_rows_and_lambda_a_columns_with_averaged_cells()
    {
        var tables = context.Render<EvaluationTables>(p => p.Add(t => t.A, Report()));
        // columns: la=1 FAD, la=1 MIRDD, la>1 FAD, la>1 MIRDD
        Assert.Equal(["10.000", "1.000", "50.000", "2.000"], Enumerable.Range(0, 4).Select(c => Cell(tables, "table-1", "li=1", c)));
        Assert.Equal(["25.000", "3.000", "6.000", "1.000"], Enumerable.Range(0, 4).Select(c => Cell(tables, "table-1", "li>1", c)));
        Assert.Contains("averaged over λ = 2, 4", tables.Find("#table-1").TextContent);
        Assert.Contains("n = 4 examples of 2 s; FAD embedding logmel-stats", tables.Find("#table-1").TextContent);

        Assert.Equal(["12.000", "1.200"], Enumerable.Range(0, 2).Select(c => Cell(tables, "table-3", "naive", c)));
        Assert.Equal(["6.000", "0.600"], Enumerable.Range(0, 2).Select(c => Cell(tables, "table-3", "best", c)));
        Assert.Equal(["3.000", "2.500"], Enumerable.Range(0, 2).Select(c => Cell(tables, "table-3", "baseline", c)));
        Assert.Empty(tables.FindAll("#table-2"));

        // Per descriptor: each cell's KL averaged over its points; coherence: generated per setting, then real and mismatched.
        var descriptors = tables.FindAll("#table-descriptors thead th").Select(h => h.TextContent).ToList();
        Assert.Equal(1.5, double.Parse(Cell(tables, "table-descriptors", "pitch_range", descriptors.IndexOf("T1 li>1 la=1") - 1), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.900", Cell(tables, "table-coherence", "real", 0));
        Assert.Equal("0.200", Cell(tables, "table-coherence", "mismatched", 0));
    }

    [Fact]
    public void A_comparison_shows_both_values_and_their_difference_in_every_cell()
    {
        var tables = context.Render<EvaluationTables>(p => p.Add(t => t.A, Report()).Add(t => t.B, Report(shift: 2.5)));
        var cell = tables.Find("#table-1 tbody tr[data-row='li=1'] td");
        Assert.Equal("10.000", cell.QuerySelector(".value-a")!.TextContent);
        Assert.Equal("12.500", cell.QuerySelector(".value-b")!.TextContent);
        Assert.Equal("(+2.500)", cell.QuerySelector(".value-diff")!.TextContent.Trim());
        Assert.All(tables.FindAll("td.value"), td => Assert.NotNull(td.QuerySelector(".value-diff")));
    }
}
