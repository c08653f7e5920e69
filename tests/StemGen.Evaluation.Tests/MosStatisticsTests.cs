using StemGen.Evaluation.Mos;

namespace StemGen.Evaluation.Tests;

public class MosStatisticsTests
{
    [Fact]
    public void T_interval_of_a_hand_computed_example()
    {
        // 3 4 5 4 4: mean 4, s^2 = (1 + 0 + 1 + 0 + 0) / 4 = 0.5, se = sqrt(0.5 / 5) = 0.31623;
        // t(0.975, 4) = 2.776445 (table) -> half width 0.877992.
        var result = MosStatistics.TInterval([3, 4, 5, 4, 4]);
        Assert.Equal(4, result.Mean, 12);
        Assert.Equal(4, result.DegreesOfFreedom);
        Assert.Equal(2.776445 * Math.Sqrt(0.1), result.HalfWidth, 5);
        Assert.Equal(4 - result.HalfWidth, result.Low, 12);
    }

    [Fact]
    public void Random_effects_interval_of_a_hand_computed_example()
    {
        // Raters r1..r3 (rows) x items a, b, c:
        //   5 3 4 | 4        grand mean 3; rater means 4, 3, 2; item means 4, 7/3, 8/3
        //   4 2 3 | 3        MS_R = 3 * ((1 + 0 + 1)) / 2 = 3
        //   3 2 1 | 2        MS_I = 3 * (1 + 4/9 + 1/9) / 2 = 7/3; MS_E = SS_E / 4 = (4/3) / 4 = 1/3
        // Var(mean) = (MS_R + MS_I - MS_E) / 9 = 5/9; Satterthwaite df = (5/9)^2 / ((3/9)^2/2 + (7/27)^2/2 + (1/27)^2/4) = 100/29
        // t(0.975, 100/29) = 2.960730 (incomplete beta) -> half width 2.960730 * sqrt(5/9) = 2.206798.
        int[,] table = { { 5, 3, 4 }, { 4, 2, 3 }, { 3, 2, 1 } };
        var ratings = new List<Rating>();
        for (var r = 0; r < 3; r++)
            for (var i = 0; i < 3; i++) ratings.Add(new Rating($"r{r + 1}", "abc"[i].ToString(), table[r, i]));
        var (interval, components) = MosStatistics.RandomEffects(ratings);
        Assert.Equal(3, interval.Mean, 12);
        Assert.Equal(1.0 / 3, components.Residual, 12);
        Assert.Equal((3 - 1.0 / 3) / 3, components.Rater, 12);
        Assert.Equal((7.0 / 3 - 1.0 / 3) / 3, components.Item, 12);
        Assert.Equal(100.0 / 29, interval.DegreesOfFreedom, 9);
        Assert.Equal(2.206798, interval.HalfWidth, 5);
        // Wider than the naive interval, which ignores that raters and items differ.
        Assert.True(interval.HalfWidth > MosStatistics.TInterval(ratings.Select(x => x.Score).ToList()).HalfWidth);
    }

    [Fact]
    public void Bad_designs_and_scores_are_refused_with_the_reason()
    {
        List<Rating> incomplete = [new("r1", "a", 3), new("r1", "b", 4), new("r2", "a", 5)];
        Assert.Contains("complete design", Assert.Throws<ArgumentException>(() => MosStatistics.RandomEffectsInterval(incomplete)).Message);
        List<Rating> twice = [new("r1", "a", 3), new("r1", "a", 4), new("r2", "b", 5)];
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => MosStatistics.RandomEffectsInterval(twice)).Message);
        Assert.Contains("1 (bad) to 5", Assert.Throws<ArgumentException>(() => MosStatistics.TInterval([3, 6])).Message);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => MosStatistics.TInterval([3])).Message);
    }
}
