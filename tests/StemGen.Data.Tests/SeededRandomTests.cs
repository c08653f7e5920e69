namespace StemGen.Data.Tests;

public class SeededRandomTests
{
    [Fact]
    public void The_same_seed_gives_the_same_sequence()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        Assert.Equal(Enumerable.Range(0, 100).Select(_ => a.NextUInt64()), Enumerable.Range(0, 100).Select(_ => b.NextUInt64()));
    }

    [Fact]
    public void The_sequence_is_pinned_so_datasets_stay_reproducible_across_runtimes()
    {
        // xoshiro256** seeded by SplitMix64 from 0: a change here changes every generated dataset.
        var rng = new SeededRandom(0);
        // Checked against an independent Python implementation of the same algorithm.
        Assert.Equal(0x99EC5F36CB75F2B4UL, rng.NextUInt64());
        Assert.Equal(0xBF6E1F784956452AUL, rng.NextUInt64());
    }

    [Fact]
    public void Derived_streams_differ_by_path()
    {
        var a = SeededRandom.Derive(1, 0).NextUInt64();
        var b = SeededRandom.Derive(1, 1).NextUInt64();
        var c = SeededRandom.Derive(2, 0).NextUInt64();
        var d = SeededRandom.Derive(1, 0, 0).NextUInt64();
        Assert.Equal(4, new[] { a, b, c, d }.Distinct().Count());
        Assert.Equal(a, SeededRandom.Derive(1, 0).NextUInt64());
    }

    [Fact]
    public void Next_is_uniform_and_in_range()
    {
        var rng = new SeededRandom(7);
        var counts = new int[5];
        for (var i = 0; i < 50_000; i++) counts[rng.Next(5)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void Sample_returns_distinct_indices()
    {
        var rng = new SeededRandom(3);
        for (var i = 0; i < 100; i++)
        {
            var s = rng.Sample(6, 4);
            Assert.Equal(4, s.Distinct().Count());
            Assert.All(s, x => Assert.InRange(x, 0, 5));
        }
    }
}
