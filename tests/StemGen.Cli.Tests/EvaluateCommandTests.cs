using System.Text.Json;
using StemGen.Audio;
using StemGen.Data;
using StemGen.Data.Slakh;
using Xunit.Abstractions;

namespace StemGen.Cli.Tests;

/// <summary>`stemgen evaluate` through the library's EvaluationSuite: the steps grid and the baseline with the shipped tiny model, and refused grids.</summary>
public class EvaluateCommandTests(CliData data, ITestOutputHelper log) : IClassFixture<CliData>
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
        Assert.StartsWith("name,", File.ReadAllLines(Path.Combine(output, "report.csv"))[0]); // one set: no set column
        Assert.False(report.RootElement.TryGetProperty("heldOut", out _));
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

    /// <summary>
    /// A held-out import unlike the fixture's: split "test", two songs at other pitches (bass 55 / 73 Hz, piano, drum bursts
    /// at 6 and 5 Hz), 4 s at 16 kHz.
    /// </summary>
    private static string WriteHeldOutImport(string root)
    {
        const int rate = 16000;
        const int frames = 4 * rate;
        float[] Sine(double hz) => Enumerable.Range(0, frames).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();
        float[] Bursts(int perSecond, int seed)
        {
            var random = new SeededRandom(seed);
            return Enumerable.Range(0, frames).Select(i => (float)(0.5 * Math.Exp(-(i % (rate / perSecond)) / 400.0) * (random.NextDouble() * 2 - 1))).ToArray();
        }
        var tracks = new List<ImportedTrack>();
        foreach (var (id, bass, piano, bursts) in new[] { ("Track09101", 55.0, 392.0, 6), ("Track09102", 73.4, 494.0, 5) })
        {
            (string Id, InstrumentCategory Category, float[] Samples)[] stems =
                [("S00", InstrumentCategory.Bass, Sine(bass)), ("S01", InstrumentCategory.Piano, Sine(piano)), ("S02", InstrumentCategory.Drums, Bursts(bursts, bursts))];
            var segmentStems = new List<SegmentStem>();
            foreach (var stem in stems)
            {
                var file = Path.Combine("test", id, "000", stem.Id + ".flac");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
                AudioFile.Write(Path.Combine(root, file), new AudioBuffer(stem.Samples, 1, rate), AudioWriteFormat.Flac16);
                segmentStems.Add(new SegmentStem(stem.Id, file, 1));
            }
            tracks.Add(new ImportedTrack
            {
                Split = "test", Id = id, Source = id, Seconds = 4,
                Stems = stems.Select(x => new ImportedStem { Id = x.Id, Category = x.Category, Seconds = 4, IsDrum = x.Category == InstrumentCategory.Drums }).ToList(),
                Segments = [new ImportedSegment { Index = 0, Start = 0, Frames = frames, Stems = segmentStems }],
            });
        }
        new ImportManifest { Source = "held-out test import", Format = "flac16", SampleRate = rate, SegmentSeconds = 4, MinSegmentSeconds = 1, Tracks = tracks, Summary = ImportSummary.Of(tracks, [], rate) }
            .Save(Path.Combine(root, ImportManifest.FileName));
        return root;
    }

    [Fact]
    public async Task A_held_out_set_is_evaluated_with_the_same_plan_and_reported_beside_the_first_with_the_issue_30_check()
    {
        var heldOut = WriteHeldOutImport(Directory.CreateDirectory(Path.Combine(data.Root, "heldout-" + Guid.NewGuid().ToString("N")[..8])).FullName);
        var output = Path.Combine(data.Root, "eval-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, stdout, err) = await Cli.Run(Args(output, "--run", "naive,best", "--heldout", heldOut, "--categories", "Bass,Drums"));
        Assert.True(code == 0, err + stdout);

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var first = report.RootElement;
        var held = first.GetProperty("heldOut");
        Assert.Equal("in-distribution", first.GetProperty("set").GetString());
        Assert.Equal("held-out", held.GetProperty("set").GetString());
        Assert.Equal(heldOut, held.GetProperty("dataset").GetString());
        Assert.Equal("test", held.GetProperty("split").GetString());
        Assert.Equal("train", first.GetProperty("split").GetString());
        foreach (var set in new[] { first, held })
        {
            Assert.Equal(["naive", "best"], set.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
            Assert.Equal(1, set.GetProperty("categories").GetProperty("Bass").GetInt32());
            Assert.Equal(1, set.GetProperty("categories").GetProperty("Drums").GetInt32());
            var best = set.GetProperty("points")[1];
            Assert.Equal(["Bass", "Drums"], best.GetProperty("byCategory").EnumerateArray().Select(c => c.GetProperty("category").GetString()));
            Assert.Equal(JsonValueKind.Number, best.GetProperty("byCategory")[1].GetProperty("lowShareReal").ValueKind);
        }

        var csv = File.ReadAllLines(Path.Combine(output, "report.csv"));
        Assert.StartsWith("set,name,", csv[0]);
        Assert.Equal(["in-distribution", "in-distribution", "held-out", "held-out"], csv.Skip(1).Select(l => l.Split(',')[0]));
        var categories = File.ReadAllLines(Path.Combine(output, "categories.csv"));
        Assert.Equal(1 + 2 * 2 * 3, categories.Length); // Bass, Drums, pitched for naive and best on both sets
        Assert.Contains(categories, l => l.StartsWith("held-out,best,preset,best,Drums,1,", StringComparison.Ordinal));

        log.WriteLine(stdout[stdout.IndexOf("setting ", StringComparison.Ordinal)..]);
        var check = stdout[stdout.IndexOf("generalization check", StringComparison.Ordinal)..];
        foreach (var set in new[] { "in-distribution", "held-out" })
        {
            foreach (var figure in new[] { "bass / drums low share", "drums onset own - other", "drums onset own / real", "pitched key gen - mismatched" })
                Assert.Matches($@"{set} +best +{System.Text.RegularExpressions.Regex.Escape(figure)} +\S+ +[<>]=? [\d.]+ +(pass|FAIL|n/a)", check);
            Assert.Matches($@"{set} +best vs naive +FAD\(best\) < FAD\(naive\) +-?\d+\.\d{{3}} +< 0 +(pass|FAIL) +FAD best", check);
        }
        Assert.Contains("per target category", stdout);
    }

    [Theory]
    [InlineData("--categories", "Bass,Kazoo", "--categories: unknown category 'Kazoo'")]
    [InlineData("--heldout", "/nonexistent/heldout", "--heldout /nonexistent/heldout: ")]
    public async Task Bad_held_out_options_are_refused_before_anything_is_written(string option, string value, string message)
    {
        var output = Path.Combine(data.Root, "eval-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, _, err) = await Cli.Run(Args(output, "--run", "baseline", option, value));
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
