using StemGen.Evaluation.Mir;
using StemGen.Evaluation.Mirdd;

namespace StemGen.Evaluation.Tests;

public class MirddTests
{
    [Fact]
    public void Kl_of_identical_histograms_is_zero()
    {
        Assert.Equal(0, KlDivergence.Compute([3, 0, 5, 2], [6, 0, 10, 4]), 12);
    }

    [Fact]
    public void Kl_of_disjoint_histograms_matches_the_smoothed_closed_form()
    {
        // Reference all in bin 0, test all in bin 1, B = 2 bins:
        // r = ((1 + e) / (1 + 2e), e / (1 + 2e)), t reversed; KL = (1 + e)/(1 + 2e) ln((1 + e)/e) + e/(1 + 2e) ln(e/(1 + e)).
        const double e = KlDivergence.DefaultEpsilon;
        var expected = (1 + e) / (1 + 2 * e) * Math.Log((1 + e) / e) + e / (1 + 2 * e) * Math.Log(e / (1 + e));
        Assert.Equal(expected, KlDivergence.Compute([10, 0], [0, 7]), 12);
        Assert.True(expected > 9);
    }

    [Fact]
    public void Kl_direction_is_reference_to_test()
    {
        double[] reference = [8, 2], test = [5, 5];
        var r = KlDivergence.Smooth(reference);
        var t = KlDivergence.Smooth(test);
        var expected = r[0] * Math.Log(r[0] / t[0]) + r[1] * Math.Log(r[1] / t[1]);
        Assert.Equal(expected, KlDivergence.Compute(reference, test), 12);
        Assert.NotEqual(expected, KlDivergence.Compute(test, reference), 6);
    }

    [Fact]
    public void Bins_come_from_the_reference_with_under_and_overflow()
    {
        var discrete = DescriptorBins.FromReference(DescriptorKind.Discrete, [3, 5, 4]);
        Assert.Equal(5, discrete.Count);
        Assert.Equal([1, 1, 1, 1, 2], discrete.Counts([2, 3, 4, 5, 6, 9]));
        var continuous = DescriptorBins.FromReference(DescriptorKind.Continuous, [0, 1]);
        Assert.Equal(12, continuous.Count);
        Assert.Equal(1, continuous.IndexOf(0));
        Assert.Equal(10, continuous.IndexOf(1));
        Assert.Equal(11, continuous.IndexOf(1.5));
    }

    [Fact]
    public void Descriptor_distance_reports_undefined_descriptors_instead_of_inventing_a_number()
    {
        var d = MirddCalculator.Distance("x", DescriptorKind.Discrete, [], [1, 2]);
        Assert.True(double.IsNaN(d.Kl));
        Assert.Contains("reference", d.Undefined);
        var same = MirddCalculator.Distance("x", DescriptorKind.Discrete, [1, 2, 2], [2, 1, 2]);
        Assert.Equal(0, same.Kl, 12);
        Assert.Null(same.Undefined);
    }

    [Fact]
    public void Mirdd_of_a_population_with_itself_is_zero_and_lists_every_descriptor()
    {
        var clips = new[] { 0, 7 }.Select(root =>
        {
            var buffer = Signals.Silence(6);
            for (var i = 0; i < 6; i++) Signals.AddChord(buffer, i % 2 == 0 ? Chord.Major(root) : Chord.Minor(root + 9), i, 1);
            return MirAnalysis.Of(buffer);
        }).ToList();
        var result = MirddCalculator.Compute(clips, clips);
        Assert.Equal(MirDescriptors.All.Count, result.Descriptors.Count);
        Assert.Equal(0, result.Mirdd, 12);
        Assert.Contains("reference || test", result.Direction);
    }
}
