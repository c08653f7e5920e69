using StemGen.Data.Rendering;

namespace StemGen.Data.Tests;

public class SongPlanTests
{
    /// <summary>A groove list that needs no mma installation.</summary>
    internal static readonly IReadOnlyList<MmaGroove> Grooves =
    [
        new("BossaNova", "/lib/bossanova.mma", 4), new("BossaNovaSus", "/lib/bossanova.mma", 4),
        new("Waltz", "/lib/waltz.mma", 3), new("Rock", "/lib/rock.mma", 4), new("Swing", "/lib/swing.mma", 4),
    ];

    [Fact]
    public void The_same_seed_and_index_give_the_same_song()
    {
        var a = SongPlan.Create(7, 3, Grooves);
        var b = SongPlan.Create(7, 3, Grooves);
        Assert.Equal(a.ToMma(), b.ToMma());
        Assert.Equal(a.MelodyProgram, b.MelodyProgram);
        Assert.Equal(MelodyWriter.Write(a), MelodyWriter.Write(b));
    }

    [Fact]
    public void Different_songs_differ()
    {
        var charts = Enumerable.Range(0, 20).Select(i => SongPlan.Create(7, i, Grooves).ToMma()).ToHashSet();
        Assert.Equal(20, charts.Count);
        var keys = Enumerable.Range(0, 60).Select(i => SongPlan.Create(7, i, Grooves).Key).ToHashSet();
        Assert.True(keys.Count >= 15, $"only {keys.Count} keys in 60 songs");
    }

    [Fact]
    public void Plans_respect_the_ranges_and_end_on_the_tonic()
    {
        var options = new SongPlanOptions();
        for (var i = 0; i < 40; i++)
        {
            var plan = SongPlan.Create(11, i, Grooves, options);
            Assert.InRange(plan.Tempo, options.MinTempo, options.MaxTempo);
            // Whole sections, so within half a section of the drawn length.
            Assert.InRange(plan.Seconds, options.MinSeconds * 0.7, options.MaxSeconds * 1.3);
            var last = plan.Bars[^1].Single();
            Assert.Equal(plan.Key.Tonic, last.Root);
            Assert.Equal(SongSection.EndLabel, plan.Sections[^1].Label);
            // Sections tile the bars.
            Assert.Equal(plan.Bars.Count, plan.Sections.Sum(s => s.Bars));
            Assert.Equal(plan.Sections.Select(s => s.StartBar), plan.Sections.Select((s, k) => plan.Sections.Take(k).Sum(p => p.Bars)));
            if (plan.BeatsPerBar == 3) Assert.All(plan.Bars, bar => Assert.Single(bar));
        }
    }

    [Fact]
    public void The_chart_is_what_mma_reads()
    {
        var plan = SongPlan.Create(1, 0, Grooves);
        var chart = plan.ToMma();
        Assert.Contains($"RndSeed {plan.MmaSeed}\n", chart);
        Assert.Contains($"Tempo {plan.Tempo}\n", chart);
        Assert.Contains($"Groove {plan.Groove.Name}\n", chart);
        Assert.Contains($"KeySig {plan.Key}\n", chart);
        Assert.Contains($"\n{plan.Bars.Count} ", chart);
    }

    [Fact]
    public void The_chord_list_has_one_entry_per_bar() =>
        Assert.Equal(SongPlan.Create(2, 5, Grooves).Bars.Count, SongPlan.Create(2, 5, Grooves).ChordSymbols.Count);
}
