namespace StemGen.Audio;

/// <summary>
/// The level a generated stem is stored at, relative to the context it was generated for (EBU R128 through
/// libebur128): integrated loudness <see cref="BelowContextLu"/> LU under the context mix's, turned down
/// further when needed so its true peak stays at or under <see cref="CeilingDbtp"/>, and never raised by more
/// than <see cref="MaxBoostDb"/> (a nearly silent output stays nearly silent instead of becoming loud noise).
/// A single stem a few LU under the whole mix sits in it like a typical instrument of a small band; the page's
/// gain (up to +12 dB) covers the rest. Both are measured as they play together: a mono stem in a stereo
/// context is measured on both channels, as the mixer plays it.
/// Nothing is changed (the gain is null) when the stem or the context is silent or shorter than one 400 ms
/// gating block: there is no loudness to match.
/// </summary>
public static class LoudnessMatch
{
    public const double BelowContextLu = 6;
    public const double CeilingDbtp = -1;
    public const double MaxBoostDb = 30;

    /// <summary>The integrated loudness a stem is brought to over a context of <paramref name="contextLufs"/>.</summary>
    public static double TargetLufs(double contextLufs) => contextLufs - BelowContextLu;

    /// <summary>
    /// The gain in dB for a stem measured at <paramref name="stemLufs"/> with true peak <paramref name="stemTruePeakDb"/>
    /// over a context at <paramref name="contextLufs"/>; null when either is silent (negative infinity) or not a number.
    /// </summary>
    public static double? GainDb(double stemLufs, double stemTruePeakDb, double contextLufs)
    {
        if (!double.IsFinite(stemLufs) || !double.IsFinite(contextLufs)) return null;
        var gain = Math.Min(TargetLufs(contextLufs) - stemLufs, MaxBoostDb);
        if (double.IsFinite(stemTruePeakDb)) gain = Math.Min(gain, CeilingDbtp - stemTruePeakDb);
        return gain;
    }

    /// <summary>
    /// A copy of <paramref name="stem"/> at the matched level over <paramref name="context"/> (stems of the stem's
    /// sample rate, summed at unity as the generator hears them), with the measurements.
    /// </summary>
    public static LoudnessMatchResult Apply(AudioBuffer stem, IReadOnlyList<AudioBuffer> context)
    {
        ArgumentNullException.ThrowIfNull(stem);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Count == 0) return new LoudnessMatchResult(stem.Clone(), double.NegativeInfinity, double.NegativeInfinity, null);
        var mix = Mixer.Mix(context.Select(c => new MixInput(c, Gain.Unity)).ToArray()).Audio;
        var channels = Math.Max(mix.Channels, stem.Channels);
        var contextLufs = Loudness.Measure(AsPlayed(mix, channels)).IntegratedLufs;
        var measured = Loudness.Measure(AsPlayed(stem, channels), truePeak: true);
        var gain = GainDb(measured.IntegratedLufs, measured.TruePeakDb, contextLufs);
        var result = stem.Clone();
        if (gain is { } g) result.ApplyGain(Gain.FromDecibels(g));
        return new LoudnessMatchResult(result, measured.IntegratedLufs, contextLufs, gain);
    }

    /// <summary>Mono spread to both channels of a stereo mix (as <see cref="Mixer"/> plays it); anything else as it is.</summary>
    private static AudioBuffer AsPlayed(AudioBuffer audio, int channels) =>
        audio.Channels == 1 && channels == 2 ? ChannelMapper.Apply(audio, ChannelPolicy.Stereo) : audio;
}

/// <summary>What <see cref="LoudnessMatch.Apply"/> did.</summary>
/// <param name="Audio">The stem at its matched level (a copy).</param>
/// <param name="StemLufs">The stem's integrated loudness before, as played with the context.</param>
/// <param name="ContextLufs">The context mix's integrated loudness.</param>
/// <param name="GainDb">The gain applied; null when nothing was changed (silence on either side).</param>
public sealed record LoudnessMatchResult(AudioBuffer Audio, double StemLufs, double ContextLufs, double? GainDb);
