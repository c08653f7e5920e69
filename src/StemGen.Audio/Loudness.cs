using StemGen.Audio.Native;

namespace StemGen.Audio;

/// <summary>
/// EBU R128 / ITU-R BS.1770 measurements from libebur128.
/// Channel weights follow libebur128's defaults: L, R, C at 1.0, channel 4 (LFE) unused, surrounds
/// at 1.41; a mono file is one channel at weight 1.0, so a 1 kHz sine at -20 dBFS reads -23 LUFS.
/// Programmes shorter than one 400 ms gating block, and silence, read negative infinity.
/// </summary>
/// <param name="IntegratedLufs">Gated integrated loudness, LUFS.</param>
/// <param name="LoudnessRangeLu">Loudness range (LRA), LU.</param>
/// <param name="SamplePeak">Largest absolute sample, linear.</param>
/// <param name="TruePeak">4x oversampled peak, linear; NaN when not measured.</param>
public sealed record LoudnessResult(double IntegratedLufs, double LoudnessRangeLu, double SamplePeak, double TruePeak)
{
    public double SamplePeakDb => Levels.ToDecibels(SamplePeak);
    public double TruePeakDb => double.IsNaN(TruePeak) ? double.NaN : Levels.ToDecibels(TruePeak);
    public bool IsSilent => double.IsNegativeInfinity(IntegratedLufs);
}

/// <summary>A streaming loudness meter: add blocks as they are decoded, read the result at the end.</summary>
public sealed unsafe class LoudnessMeter : IDisposable
{
    private IntPtr state;
    private readonly bool truePeak;
    private float[] scratch = [];

    public LoudnessMeter(int channels, int sampleRate, bool truePeak = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        Channels = channels;
        SampleRate = sampleRate;
        this.truePeak = truePeak;
        var mode = LibEbur128.ModeI | LibEbur128.ModeLra | LibEbur128.ModeSamplePeak | (truePeak ? LibEbur128.ModeTruePeak : 0);
        state = LibEbur128.ebur128_init((uint)channels, (nuint)sampleRate, mode);
        if (state == IntPtr.Zero) throw new InvalidOperationException($"libebur128 cannot meter {channels} channels at {sampleRate} Hz");
    }

    public int Channels { get; }
    public int SampleRate { get; }

    /// <summary>Adds the first <paramref name="frames"/> frames of a block.</summary>
    public void Add(AudioBuffer block, int frames)
    {
        ArgumentNullException.ThrowIfNull(block);
        ObjectDisposedException.ThrowIf(state == IntPtr.Zero, this);
        if (block.Channels != Channels || block.SampleRate != SampleRate)
            throw new ArgumentException($"block is {block.Channels} ch at {block.SampleRate} Hz, the meter {Channels} ch at {SampleRate} Hz", nameof(block));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frames, block.Frames);
        // libebur128 takes interleaved frames; convert in slices so the scratch stays small.
        const int slice = 8192;
        for (var start = 0; start < frames; start += slice)
        {
            var n = Math.Min(slice, frames - start);
            if (scratch.Length < n * Channels) scratch = new float[slice * Channels];
            Interleaving.Interleave(block, start, n, scratch);
            fixed (float* p = scratch)
                if (LibEbur128.ebur128_add_frames_float(state, p, (nuint)n) != 0)
                    throw new InvalidOperationException("libebur128 ran out of memory");
        }
    }

    public void Add(AudioBuffer audio) => Add(audio, audio.Frames);

    public LoudnessResult Result()
    {
        ObjectDisposedException.ThrowIf(state == IntPtr.Zero, this);
        LibEbur128.ebur128_loudness_global(state, out var integrated);
        if (LibEbur128.ebur128_loudness_range(state, out var range) != 0) range = double.NaN;
        double samplePeak = 0, truePeakValue = truePeak ? 0 : double.NaN;
        for (uint c = 0; c < Channels; c++)
        {
            LibEbur128.ebur128_sample_peak(state, c, out var s);
            samplePeak = Math.Max(samplePeak, s);
            if (truePeak)
            {
                LibEbur128.ebur128_true_peak(state, c, out var t);
                truePeakValue = Math.Max(truePeakValue, t);
            }
        }
        // libebur128 reports -HUGE_VAL for silence and for programmes shorter than one gating block.
        if (integrated < -1e10 || double.IsNaN(integrated)) integrated = double.NegativeInfinity;
        return new LoudnessResult(integrated, range, samplePeak, truePeakValue);
    }

    public void Dispose()
    {
        if (state == IntPtr.Zero) return;
        var s = state;
        LibEbur128.ebur128_destroy(&s);
        state = IntPtr.Zero;
    }
}

/// <summary>Loudness measurement and normalisation of whole buffers and files.</summary>
public static class Loudness
{
    public static LoudnessResult Measure(AudioBuffer audio, bool truePeak = false)
    {
        ArgumentNullException.ThrowIfNull(audio);
        using var meter = new LoudnessMeter(audio.Channels, audio.SampleRate, truePeak);
        meter.Add(audio);
        return meter.Result();
    }

    /// <summary>Integrated loudness in LUFS (negative infinity for silence or under 400 ms).</summary>
    public static double Integrated(AudioBuffer audio) => Measure(audio).IntegratedLufs;

    /// <summary>Measures a file in one streaming pass (constant memory).</summary>
    public static LoudnessResult Measure(string path, bool truePeak = false, AudioReadOptions? options = null)
    {
        using var reader = AudioReader.Open(path, options);
        using var meter = new LoudnessMeter(reader.Info.Channels, reader.Info.SampleRate, truePeak);
        var block = reader.CreateBlock();
        int n;
        while ((n = reader.Read(block)) > 0) meter.Add(block, n);
        return meter.Result();
    }

    /// <summary>
    /// A copy of <paramref name="audio"/> at <paramref name="targetLufs"/> (Slakh normalises stems to
    /// -13 LUFS). Raising the level can push peaks past the ceiling: the guard decides what happens
    /// and the result says. Silence (or under 400 ms) cannot be normalised and is returned unchanged.
    /// </summary>
    public static NormalizeResult Normalize(AudioBuffer audio, double targetLufs, ClippingGuard guard = ClippingGuard.Report, double ceilingDb = 0)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (!double.IsFinite(targetLufs)) throw new ArgumentOutOfRangeException(nameof(targetLufs), targetLufs, "must be finite");
        var before = Integrated(audio);
        var result = audio.Clone();
        if (double.IsNegativeInfinity(before))
            return new NormalizeResult(result, before, targetLufs, Gain.Unity, ClipGuard.Apply(result, ClippingGuard.Report, ceilingDb), Applied: false);
        var gain = Gain.FromDecibels(targetLufs - before);
        result.ApplyGain(gain);
        return new NormalizeResult(result, before, targetLufs, gain, ClipGuard.Apply(result, guard, ceilingDb), Applied: true);
    }
}

/// <summary>What <see cref="Loudness.Normalize"/> did.</summary>
/// <param name="Audio">The normalised copy.</param>
/// <param name="InputLufs">Loudness before.</param>
/// <param name="TargetLufs">Loudness asked for (reached unless the guard had to lower peaks).</param>
/// <param name="Gain">The loudness gain applied (before any guard action).</param>
/// <param name="Guard">Peaks after the gain and what the clipping guard did.</param>
/// <param name="Applied">False for silence, which has no loudness to normalise.</param>
public sealed record NormalizeResult(AudioBuffer Audio, double InputLufs, double TargetLufs, Gain Gain, GuardOutcome Guard, bool Applied);
