using StemGen.Evaluation.Mos;

namespace StemGen.Evaluation.Tests;

public class MosComparisonTests
{
    private static List<Rating> Ratings(params (string Rater, string Item, double Score)[] ratings) =>
        ratings.Select(r => new Rating(r.Rater, r.Item, r.Score)).ToList();

    [Fact]
    public void Paired_difference_of_a_hand_computed_example()
    {
        // Rater means A: r1 4.5, r2 4, r3 3; B: r1 3, r2 3, r3 2 -> differences 1.5, 1, 1: mean 7/6,
        // s^2 = ((1/3)^2 + 2 (1/6)^2) / 2 = 1/12, t(0.975, 2) = 4.302653 -> half width 4.302653 * sqrt(1/36) = 0.717109.
        var a = Ratings(("r1", "a1", 5), ("r1", "a2", 4), ("r2", "a1", 4), ("r2", "a2", 4), ("r3", "a1", 3), ("r3", "a2", 3));
        var b = Ratings(("r1", "b1", 3), ("r1", "b2", 3), ("r2", "b1", 2), ("r2", "b2", 4), ("r3", "b1", 2), ("r3", "b2", 2));
        var d = MosComparison.PairedByRater(a, b);
        Assert.Equal(7.0 / 6, d.Mean, 12);
        Assert.Equal(2, d.DegreesOfFreedom);
        Assert.Equal(3, d.Ratings);
        Assert.Equal(0.717109, d.HalfWidth, 5);
        Assert.Equal(-d.Mean, MosComparison.PairedByRater(b, a).Mean, 12);
    }

    [Fact]
    public void Pairing_removes_each_raters_offset()
    {
        // Each rater is B + 1 on A, but raters differ by 2 points: unpaired intervals overlap, the paired one is exactly 1.
        var a = Ratings(("r1", "a", 5), ("r2", "a", 3), ("r3", "a", 4));
        var b = Ratings(("r1", "b", 4), ("r2", "b", 2), ("r3", "b", 3));
        var d = MosComparison.PairedByRater(a, b);
        Assert.Equal(1, d.Mean, 12);
        Assert.Equal(0, d.HalfWidth, 12);
    }

    [Fact]
    public void Raters_who_rated_only_one_condition_are_left_out_and_one_pair_is_refused()
    {
        var a = Ratings(("r1", "a", 5), ("r2", "a", 3));
        var b = Ratings(("r1", "b", 4), ("r3", "b", 2));
        var e = Assert.Throws<ArgumentException>(() => MosComparison.PairedByRater(a, b));
        Assert.Contains("at least 2 raters", e.Message);
    }
}
