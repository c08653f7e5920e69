using StemGen.Torch.Interop;

namespace StemGen.Torch;

/// <summary>Windows and short-time Fourier transforms (complex spectra; see Tensor.Abs, ViewAsReal).</summary>
public static class Signal
{
    /// <summary>Hann window; periodic (the default, for spectral analysis) or symmetric.</summary>
    public static Tensor HannWindow(long length, bool periodic = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(Native.sg_hann_window(length, periodic ? 1 : 0, (int)dtype, (int)d.Type, Math.Max(d.Index, 0)));
    }

    /// <summary>
    /// STFT of (L) or (B, L) signals: complex (F, frames) or (B, F, frames), F = nFft/2 + 1 when
    /// one-sided. With center, the signal is padded by nFft/2 on both sides (reflect or zeros).
    /// </summary>
    public static Tensor Stft(Tensor x, long nFft, long hop, Tensor? window = null, long? winLength = null,
        bool center = true, bool reflectPad = true, bool normalized = false, bool onesided = true) =>
        Tensor.Wrap(Native.sg_stft(x.Handle, nFft, hop, winLength ?? nFft, Tensor.Of(window), center ? 1 : 0,
            reflectPad ? 1 : 0, normalized ? 1 : 0, onesided ? 1 : 0));

    /// <summary>Inverse STFT by overlap-add; <paramref name="length"/> crops or pads the result.</summary>
    public static Tensor Istft(Tensor spectrum, long nFft, long hop, Tensor? window = null, long? winLength = null,
        bool center = true, bool normalized = false, bool onesided = true, long? length = null) =>
        Tensor.Wrap(Native.sg_istft(spectrum.Handle, nFft, hop, winLength ?? nFft, Tensor.Of(window), center ? 1 : 0,
            normalized ? 1 : 0, onesided ? 1 : 0, length ?? -1));
}
