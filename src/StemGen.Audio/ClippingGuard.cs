namespace StemGen.Audio;

/// <summary>What to do when summed or amplified audio goes past the ceiling. Nothing ever clips silently.</summary>
public enum ClippingGuard
{
    /// <summary>Leave the samples as they are and report the overshoot (float files keep them; PCM writers count what they clip).</summary>
    Report,
    /// <summary>Scale the whole signal down so its peak sits at the ceiling (keeps the sound, lowers the level).</summary>
    NormalizeToPeak,
    /// <summary>A look-ahead brick-wall limiter: only the loud moments are turned down, smoothly.</summary>
    Limit,
}

/// <summary>Peaks around the guard and what it did.</summary>
/// <param name="PeakBefore">Sample peak (linear) before the guard.</param>
/// <param name="Peak">Sample peak (linear) after it.</param>
/// <param name="Ceiling">The ceiling (linear).</param>
/// <param name="Guard">The policy in force.</param>
/// <param name="GainReductionDb">The largest gain reduction the guard applied, in dB (0 when it did nothing).</param>
public sealed record GuardOutcome(float PeakBefore, float Peak, double Ceiling, ClippingGuard Guard, double GainReductionDb)
{
    /// <summary>True when the signal went past the ceiling before the guard.</summary>
    public bool Exceeded => PeakBefore > Ceiling;

    /// <summary>True when samples past the ceiling remain (only with <see cref="ClippingGuard.Report"/>): they will clip in PCM.</summary>
    public bool Clipping => Peak > Ceiling;
}

internal static class ClipGuard
{
    public static GuardOutcome Apply(AudioBuffer audio, ClippingGuard guard, double ceilingDb)
    {
        if (!double.IsFinite(ceilingDb) || ceilingDb > 0)
            throw new ArgumentOutOfRangeException(nameof(ceilingDb), ceilingDb, "the ceiling must be at or below 0 dBFS");
        var ceiling = Levels.FromDecibels(ceilingDb);
        var before = audio.Peak();
        if (before <= ceiling || guard == ClippingGuard.Report)
            return new GuardOutcome(before, before, ceiling, guard, 0);
        double reduction;
        if (guard == ClippingGuard.NormalizeToPeak)
        {
            // Just under the ceiling, so float rounding cannot land a sample on the wrong side.
            var factor = ceiling / before * (1 - 1e-6);
            Levels.Scale(audio.Samples, (float)factor);
            reduction = Levels.ToDecibels(factor);
        }
        else
        {
            reduction = Limiter.Apply(audio, ceiling);
        }
        return new GuardOutcome(before, audio.Peak(), ceiling, guard, reduction);
    }
}
