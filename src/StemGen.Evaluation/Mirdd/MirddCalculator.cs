using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Mirdd;

/// <summary>One descriptor's distance: KL(reference || test), the value counts behind it, or why it is undefined.</summary>
public sealed record DescriptorDistance(string Descriptor, double Kl, int ReferenceValues, int TestValues, string? Undefined = null);

/// <summary>MIRDD: the per-descriptor distances and their mean over the defined ones.</summary>
public sealed record MirddResult(double Mirdd, IReadOnlyList<DescriptorDistance> Descriptors, string Direction, double Epsilon);

/// <summary>
/// MIR Descriptor Distance (paper section 3.1): for each descriptor, bins fixed by the reference
/// population (<see cref="DescriptorBins"/>), epsilon-smoothed histograms of both populations, and
/// KL(reference || test) (<see cref="KlDivergence"/>); MIRDD is the mean over descriptors. As the paper
/// does, the populations should be analyses of stems summed with their context mix. A descriptor with no
/// values in either population is reported as undefined and left out of the mean.
/// </summary>
public static class MirddCalculator
{
    public static MirddResult Compute(IReadOnlyList<MirAnalysis> reference, IReadOnlyList<MirAnalysis> test,
        IReadOnlyList<Descriptor>? descriptors = null, double epsilon = KlDivergence.DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(test);
        if (reference.Count == 0 || test.Count == 0) throw new ArgumentException($"MIRDD needs two non-empty populations (got {reference.Count} reference and {test.Count} test clips)");
        var results = new List<DescriptorDistance>();
        foreach (var d in descriptors ?? MirDescriptors.All)
        {
            var r = reference.SelectMany(d.Values).ToList();
            var t = test.SelectMany(d.Values).ToList();
            results.Add(Distance(d.Name, d.Kind, r, t, epsilon));
        }
        var defined = results.Where(x => x.Undefined is null).ToList();
        var mean = defined.Count == 0 ? double.NaN : defined.Average(x => x.Kl);
        return new MirddResult(mean, results, "KL(reference || test), natural log", epsilon);
    }

    /// <summary>The distance of one descriptor from its pooled values.</summary>
    public static DescriptorDistance Distance(string name, DescriptorKind kind, IReadOnlyCollection<double> reference, IReadOnlyCollection<double> test,
        double epsilon = KlDivergence.DefaultEpsilon)
    {
        if (reference.Count == 0) return new DescriptorDistance(name, double.NaN, 0, test.Count, "no values in the reference population");
        if (test.Count == 0) return new DescriptorDistance(name, double.NaN, reference.Count, 0, "no values in the test population");
        var bins = DescriptorBins.FromReference(kind, reference);
        return new DescriptorDistance(name, KlDivergence.Compute(bins.Counts(reference), bins.Counts(test), epsilon), reference.Count, test.Count);
    }
}
