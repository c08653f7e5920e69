using StemGen.Data.Rendering;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tests;

/// <summary>A tiny synth dataset (two short songs) generated once with the real tools.</summary>
public sealed class SynthFixture : IDisposable
{
    public static SynthDatasetOptions Options(string output, long seed = 9) => new()
    {
        Hours = 20.0 / 3600,
        Seed = seed,
        Output = output,
        Jobs = 2,
        // One 8-bar section at 150+ BPM: about 13 s per song.
        Songs = new SongPlanOptions { MinSeconds = 5, MaxSeconds = 6, MinTempo = 150, MaxTempo = 160 },
    };

    public SynthFixture()
    {
        Result = SynthDataset.Generate(Options(Directory.Path), new InlineProgress<SynthProgress>(p => { lock (Reports) Reports.Add(p); }));
    }

    public TempDirectory Directory { get; } = new();
    public SynthDatasetResult Result { get; }
    public List<SynthProgress> Reports { get; } = [];

    public void Dispose() => Directory.Dispose();
}

public class SynthDatasetTests(SynthFixture fixture) : IClassFixture<SynthFixture>
{
    [Fact]
    public void Songs_are_generated_until_the_hours_are_reached()
    {
        Assert.Empty(fixture.Result.Failures);
        Assert.Equal(2, fixture.Result.Songs);
        Assert.True(fixture.Result.Hours * 3600 >= 20);
        Assert.Equal(2, fixture.Reports.Count);
        Assert.Equal(2, fixture.Reports.Max(r => r.SongsDone));
        Assert.True(File.Exists(Path.Combine(fixture.Directory.Path, SynthDataset.SummaryFile)));
    }

    [Fact]
    public void The_folder_has_the_slakh_layout()
    {
        var tracks = SlakhImporter.Discover(fixture.Directory.Path);
        Assert.Equal(2, tracks.Count);
        foreach (var track in tracks)
        {
            Assert.Equal(SynthDataset.SplitOf(SynthFixture.Options(""), int.Parse(track.Id[5..]) - 1), track.Split);
            var metadata = SlakhMetadata.Load(Path.Combine(track.Directory, "metadata.yaml"));
            Assert.Empty(metadata.Warnings);
            Assert.True(File.Exists(Path.Combine(track.Directory, "mix.flac")));
            Assert.Contains($"Groove {metadata.Groove}\n", File.ReadAllText(Path.Combine(track.Directory, "song.mma")));
            Assert.All(metadata.Stems.Where(s => s.AudioRendered), s => Assert.True(File.Exists(Path.Combine(track.Directory, "stems", s.Id + ".flac"))));
            Assert.NotNull(metadata.Key);
            Assert.NotNull(metadata.Groove);
            Assert.NotEmpty(metadata.Chords!);
        }
        Assert.Equal(fixture.Result.Categories.Values.Sum(), tracks.Sum(t => SlakhMetadata.Load(Path.Combine(t.Directory, "metadata.yaml")).Stems.Count(s => s.AudioRendered)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_dataset()
    {
        using var again = new TempDirectory();
        // Song 0 only: hours small enough for one song.
        var options = SynthFixture.Options(again.Path) with { Hours = 1.0 / 3600 };
        SynthDataset.Generate(options);
        var split = SynthDataset.SplitOf(options, 0);
        var first = Path.Combine(fixture.Directory.Path, split, "Track00001");
        var second = Path.Combine(again.Path, split, "Track00001");
        Assert.Equal(File.ReadAllText(Path.Combine(first, "metadata.yaml")), File.ReadAllText(Path.Combine(second, "metadata.yaml")));
        foreach (var file in Directory.EnumerateFiles(first, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".mid") || f.EndsWith(".flac")))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(second, Path.GetRelativePath(first, file))));
    }

    [Fact]
    public void A_second_run_reuses_finished_songs()
    {
        var result = SynthDataset.Generate(SynthFixture.Options(fixture.Directory.Path));
        Assert.Equal(2, result.Reused);
        Assert.Equal(fixture.Result.Categories, result.Categories);
    }

    [Fact]
    public void A_folder_with_another_seed_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SynthDataset.Generate(SynthFixture.Options(fixture.Directory.Path, seed: 10)));
        Assert.Contains("seed 9", error.Message);
    }

    [Fact]
    public void Every_block_of_ten_songs_has_eight_train_one_validation_one_test()
    {
        var options = SynthFixture.Options("");
        for (var block = 0; block < 10; block++)
        {
            var splits = Enumerable.Range(block * 10, 10).Select(i => SynthDataset.SplitOf(options, i)).ToList();
            Assert.Equal(8, splits.Count(s => s == "train"));
            Assert.Equal(1, splits.Count(s => s == "validation"));
            Assert.Equal(1, splits.Count(s => s == "test"));
        }
    }

    [Fact]
    public void Plans_depend_only_on_the_seed()
    {
        var x = SynthFixture.Options("x") with { Hours = 0.2 };
        var y = SynthFixture.Options("y") with { Hours = 0.2 };
        var a = SynthDataset.Plan(x, SynthDataset.Drawer(x));
        var b = SynthDataset.Plan(y, SynthDataset.Drawer(y));
        Assert.Equal(a.Select(p => ((SongPlan)p.Plan).ToMma()), b.Select(p => ((SongPlan)p.Plan).ToMma()));
        Assert.True(a.Sum(p => p.Plan.Seconds) >= 0.2 * 3600);
    }
}
