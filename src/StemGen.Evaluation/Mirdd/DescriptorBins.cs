using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Mirdd;

/// <summary>
/// Bins shared by both populations of one descriptor, fixed from the reference population alone:
/// discrete descriptors get one bin per integer from the reference minimum to maximum, continuous ones
/// <see cref="ContinuousBins"/> equal-width bins over the reference range; each also gets an underflow
/// and an overflow bin, so values the reference never shows still count (against the test set).
/// </summary>
public sealed class DescriptorBins
{
    public const int ContinuousBins = 10;

    private DescriptorBins(DescriptorKind kind, double low, double high, int inner)
    {
        Kind = kind;
        Low = low;
        High = high;
        InnerBins = inner;
    }

    public DescriptorKind Kind { get; }
    public double Low { get; }
    public double High { get; }
    public int InnerBins { get; }
    /// <summary>Inner bins plus underflow and overflow.</summary>
    public int Count => InnerBins + 2;

    public static DescriptorBins FromReference(DescriptorKind kind, IReadOnlyCollection<double> reference)
    {
        if (reference.Count == 0) throw new ArgumentException("the reference population has no values for this descriptor");
        double low = reference.Min(), high = reference.Max();
        if (kind == DescriptorKind.Discrete)
        {
            low = Math.Round(low);
            high = Math.Round(high);
            return new DescriptorBins(kind, low, high, (int)(high - low) + 1);
        }
        return new DescriptorBins(kind, low, high, high > low ? ContinuousBins : 1);
    }

    /// <summary>Bin index: 0 = underflow, 1..InnerBins, InnerBins + 1 = overflow.</summary>
    public int IndexOf(double value)
    {
        if (Kind == DescriptorKind.Discrete)
        {
            var v = Math.Round(value);
            return v < Low ? 0 : v > High ? InnerBins + 1 : 1 + (int)(v - Low);
        }
        if (value < Low) return 0;
        if (value > High) return InnerBins + 1;
        if (High == Low) return 1;
        return 1 + Math.Min(InnerBins - 1, (int)((value - Low) / (High - Low) * InnerBins));
    }

    public double[] Counts(IEnumerable<double> values)
    {
        var counts = new double[Count];
        foreach (var v in values) counts[IndexOf(v)]++;
        return counts;
    }
}
