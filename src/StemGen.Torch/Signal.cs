using StemGen.Torch.Interop;

namespace StemGen.Torch;

/// <summary>Windows and short-time Fourier transforms (native/src/signal.cpp).</summary>
public static class Signal
{
    /// <summary>Hann window, 0.5 - 0.5 cos(2 pi n / N) with N = length (periodic) or length - 1 (symmetric).</summary>
    public static Tensor HannWindow(long length, bool periodic = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(Native.sg_hann_window(length, periodic ? 1 : 0, (int)dtype, (int)d.Type, Math.Max(d.Index, 0)));
    }

    /// <summary>
    /// STFT of x (L) or (B, L): complex (F, frames) or (B, F, frames). hop defaults to nFft / 4,
    /// winLength to nFft; a null window is rectangular. center pads nFft / 2 on both sides
    /// (reflect, or zeros when reflectPad is false).
    /// </summary>
    public static Tensor Stft(Tensor x, long nFft, long? hop = null, long? winLength = null, Tensor? window = null,
        bool center = true, bool reflectPad = true, bool normalized = false, bool onesided = true) =>
        Tensor.Wrap(Native.sg_stft(x.Handle, nFft, hop ?? nFft / 4, winLength ?? nFft, Tensor.Of(window),
            center ? 1 : 0, reflectPad ? 1 : 0, normalized ? 1 : 0, onesided ? 1 : 0));

    /// <summary>Inverse of <see cref="Stft"/>; length (when given) trims or pads the signal to that many samples.</summary>
    public static Tensor Istft(Tensor spectrum, long nFft, long? hop = null, long? winLength = null, Tensor? window = null,
        bool center = true, bool normalized = false, bool onesided = true, long? length = null) =>
        Tensor.Wrap(Native.sg_istft(spectrum.Handle, nFft, hop ?? nFft / 4, winLength ?? nFft, Tensor.Of(window),
            center ? 1 : 0, normalized ? 1 : 0, onesided ? 1 : 0, length ?? -1));
}
