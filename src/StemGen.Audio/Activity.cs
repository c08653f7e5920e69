namespace StemGen.Audio;

/// <summary>Frame counts of an activity overlap between a target and its context.</summary>
/// <param name="Frames">Frames compared (the longer signal's; missing frames count as inactive).</param>
/// <param name="TargetActive">Frames where the target is active.</param>
/// <param name="ContextActive">Frames where the context is active.</param>
/// <param name="BothActive">Frames where both are.</param>
public sealed record ActivityOverlap(int Frames, int TargetActive, int ContextActive, int BothActive)
{
    /// <summary>BothActive / Frames (0 for no frames).</summary>
    public double Fraction => Frames == 0 ? 0 : (double)BothActive / Frames;

    /// <summary>The crop rule: keep when both are active together for at least <paramref name="minimumFraction"/> of the frames.</summary>
    public bool Meets(double minimumFraction = Activity.DefaultMinimumOverlap) => Fraction >= minimumFraction;
}

/// <summary>
/// Frame-level activity, as the StemGen data pipeline uses it (docs/slakh.md):
/// RMS per frame at the codec's frame rate (50 Hz), a frame is active above -60 dB RMS, and a
/// training crop is kept when target and context are active together for at least 50 % of frames.
/// Frame i covers samples [floor(i h), floor((i + 1) h)) with h = rate / frameRate, so 50 Hz at
/// 32 kHz is exactly 640 samples; a final partial frame counts. Multichannel RMS is the power mean
/// over channels. dB values are floored at <see cref="FloorDb"/> so digital silence stays finite.
/// </summary>
public static class Activity
{
    public const double DefaultThresholdDb = -60;
    public const double DefaultFrameRate = 50;
    public const double DefaultMinimumOverlap = 0.5;
    public const float FloorDb = -160;

    /// <summary>Number of frames for <paramref name="samples"/> at the given rates: ceil(samples x frameRate / sampleRate).</summary>
    public static int FrameCount(long samples, int sampleRate, double frameRate = DefaultFrameRate)
    {
        Check(sampleRate, frameRate);
        return (int)Math.Ceiling(samples * frameRate / sampleRate - 1e-9);
    }

    /// <summary>RMS of each frame in dBFS (a full-scale sine reads -3.01 dB).</summary>
    public static float[] FrameRmsDb(AudioBuffer audio, double frameRate = DefaultFrameRate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var count = FrameCount(audio.Frames, audio.SampleRate, frameRate);
        var hop = audio.SampleRate / frameRate;
        var result = new float[count];
        for (var i = 0; i < count; i++)
        {
            var start = (int)Math.Floor(i * hop + 1e-9);
            var end = (int)Math.Min(audio.Frames, Math.Floor((i + 1) * hop + 1e-9));
            double sum = 0;
            for (var c = 0; c < audio.Channels; c++) sum += Levels.SumOfSquares(audio.Channel(c)[start..end]);
            var meanSquare = sum / ((long)(end - start) * audio.Channels);
            result[i] = meanSquare > 0 ? (float)Math.Max(FloorDb, 10 * Math.Log10(meanSquare)) : FloorDb;
        }
        return result;
    }

    /// <summary>Per frame: RMS above the threshold.</summary>
    public static bool[] ActiveFrames(AudioBuffer audio, double thresholdDb = DefaultThresholdDb, double frameRate = DefaultFrameRate) =>
        FrameRmsDb(audio, frameRate).Select(db => db > thresholdDb).ToArray();

    /// <summary>Fraction of frames that are active.</summary>
    public static double ActiveFraction(AudioBuffer audio, double thresholdDb = DefaultThresholdDb, double frameRate = DefaultFrameRate)
    {
        var active = ActiveFrames(audio, thresholdDb, frameRate);
        return active.Length == 0 ? 0 : (double)active.Count(a => a) / active.Length;
    }

    /// <summary>No frame above the threshold (an empty buffer is silent).</summary>
    public static bool IsSilent(AudioBuffer audio, double thresholdDb = DefaultThresholdDb, double frameRate = DefaultFrameRate) =>
        !ActiveFrames(audio, thresholdDb, frameRate).Any(a => a);

    /// <summary>Counts frames where target, context, and both are active. Both must share a sample rate.</summary>
    public static ActivityOverlap Overlap(AudioBuffer target, AudioBuffer context, double thresholdDb = DefaultThresholdDb, double frameRate = DefaultFrameRate)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(context);
        if (target.SampleRate != context.SampleRate)
            throw new ArgumentException($"target is at {target.SampleRate} Hz, context at {context.SampleRate} Hz; resample first", nameof(context));
        return Overlap(ActiveFrames(target, thresholdDb, frameRate), ActiveFrames(context, thresholdDb, frameRate));
    }

    /// <summary>The same from precomputed activity masks (e.g. cached per stem at dataset import).</summary>
    public static ActivityOverlap Overlap(IReadOnlyList<bool> target, IReadOnlyList<bool> context)
    {
        var frames = Math.Max(target.Count, context.Count);
        int t = 0, c = 0, both = 0;
        for (var i = 0; i < frames; i++)
        {
            var a = i < target.Count && target[i];
            var b = i < context.Count && context[i];
            if (a) t++;
            if (b) c++;
            if (a && b) both++;
        }
        return new ActivityOverlap(frames, t, c, both);
    }

    private static void Check(int sampleRate, double frameRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (!(frameRate > 0) || frameRate > sampleRate)
            throw new ArgumentOutOfRangeException(nameof(frameRate), frameRate, "must be positive and at most the sample rate");
    }
}
