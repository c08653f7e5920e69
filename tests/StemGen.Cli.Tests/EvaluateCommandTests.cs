using System.Text.Json;

namespace StemGen.Cli.Tests;

/// <summary>`stemgen evaluate` through the library's EvaluationSuite: the steps grid and the baseline with the shipped tiny model, and refused grids.</summary>
public class EvaluateCommandTests(CliData data) : IClassFixture<CliData>
{
    private string[] Args(string output, params string[] more) =>
    [
        "evaluate", "--data", data.Import, "--split", "train", "--examples", "2", "--seconds", "1", "--steps", "2,1,1,1", "--jobs", "1", "--out", output, .. more,
    ];

    [Fact]
    public async Task The_steps_run_scores_best_sampling_at_each_first_level_count()
    {
        var output = Path.Combine(data.Root, "eval-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, stdout, err) = await Cli.Run(Args(output, "--run", "steps,baseline", "--steps-grid", "2,1"));
        Assert.True(code == 0, err + stdout);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var points = report.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(["baseline: stem from another song", "steps S=2", "steps S=1"], points.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal([2, 1, 1, 1], points[1].GetProperty("sampling").GetProperty("steps").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Equal([1, 1, 1, 1], points[2].GetProperty("sampling").GetProperty("steps").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Equal("steps", points[1].GetProperty("table").GetString());
        Assert.Equal(4, File.ReadAllLines(Path.Combine(output, "report.csv")).Length);
        Assert.Contains("[steps S=1] FAD", stdout);
    }

    [Theory]
    [InlineData("0", "steps grid values must be whole numbers from 1 to 100000, not 0")]
    [InlineData("4,2.5", "steps grid values must be whole numbers from 1 to 100000, not 2.5")]
    [InlineData("NaN", "--steps-grid: 'NaN' is not a number")]
    [InlineData(",", "--steps-grid needs at least one value")]
    public async Task Bad_steps_grids_are_refused_before_anything_is_written(string grid, string message)
    {
        var output = Path.Combine(data.Root, "eval-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, _, err) = await Cli.Run(Args(output, "--run", "steps", "--steps-grid", grid));
        Assert.Equal(1, code);
        Assert.Contains(message, err);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task An_unknown_run_names_the_runs_there_are()
    {
        var (code, _, err) = await Cli.Run(Args(Path.Combine(data.Root, "never"), "--run", "table9"));
        Assert.Equal(1, code);
        Assert.Contains("unknown run 'table9' (use naive, best, table1, table2, table3, steps); baseline scores a stem of another song", err);
    }
}
