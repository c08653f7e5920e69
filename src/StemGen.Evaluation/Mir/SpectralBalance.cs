using StemGen.Audio;
using StemGen.Evaluation.Dsp;

namespace StemGen.Evaluation.Mir;

/// <summary>
/// Where a stem's energy sits in frequency. <see cref="LowFrequencyShare"/> is the figure the generalization check asks
/// of generated Bass against generated Drums: the share of spectral energy below 250 Hz.
/// </summary>
public static class SpectralBalance
{
    public const int FrameSize = 2048;
    public const int Hop = 512;
    public const double DefaultCutoffHz = 250;

    /// <summary>
    /// Share of the spectral energy at or below <paramref name="cutoffHz"/> (first channel; |X|^2 of a
    /// 2048-point periodic-Hann STFT, hop 512, DC bin left out). Rate-aware: the cutoff bin is
    /// floor(cutoff * 2048 / rate). NaN for a clip with no energy (silence, or shorter than one frame),
    /// so means over examples skip it.
    /// </summary>
    public static double LowFrequencyShare(AudioBuffer audio, double cutoffHz = DefaultCutoffHz)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (!(cutoffHz > 0)) throw new ArgumentOutOfRangeException(nameof(cutoffHz), cutoffHz, "the cutoff must be positive");
        if (audio.Frames < FrameSize) return double.NaN;
        var frames = Spectrogram.Magnitude(audio.Channel(0), Spectrogram.PeriodicHann(FrameSize), Hop, FrameSize);
        var cutoff = (int)(cutoffHz * FrameSize / audio.SampleRate);
        double low = 0, all = 0;
        foreach (var frame in frames)
            for (var k = 1; k < frame.Length; k++)
            {
                var e = frame[k] * frame[k];
                all += e;
                if (k <= cutoff) low += e;
            }
        return all > 0 ? low / all : double.NaN;
    }
}
