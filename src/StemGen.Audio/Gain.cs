namespace StemGen.Audio;

/// <summary>A gain given either in decibels or as a linear factor; both views are always available.</summary>
public readonly record struct Gain
{
    private Gain(double linear) => Linear = linear;

    /// <summary>The factor samples are multiplied by.</summary>
    public double Linear { get; }

    /// <summary>20 log10 of the factor; negative infinity for a zero gain.</summary>
    public double Decibels => Levels.ToDecibels(Linear);

    public static Gain Unity => new(1.0);

    public static Gain FromDecibels(double decibels)
    {
        if (double.IsNaN(decibels) || double.IsPositiveInfinity(decibels))
            throw new ArgumentOutOfRangeException(nameof(decibels), decibels, "a gain in dB must be finite (or -infinity for silence)");
        return new(Levels.FromDecibels(decibels));
    }

    public static Gain FromLinear(double linear)
    {
        if (!double.IsFinite(linear) || linear < 0)
            throw new ArgumentOutOfRangeException(nameof(linear), linear, "a linear gain must be finite and not negative (invert polarity explicitly if needed)");
        return new(linear);
    }

    public override string ToString() => $"{Decibels:+0.00;-0.00;0.00} dB";
}
