using StemGen.Torch;

namespace StemGen.Model.Codec;

/// <summary>
/// The mel scale and triangular filterbank, HTK flavour without area normalisation: the defaults
/// of torchaudio's melscale_fbanks, which audiocraft's codec losses use. mel(f) = 2595 log10(1 + f / 700);
/// triangles are linear in Hz between n_mels + 2 points equally spaced in mel.
/// </summary>
public static class MelScale
{
    public static double HzToMel(double hz) => 2595.0 * Math.Log10(1.0 + hz / 700.0);

    public static double MelToHz(double mel) => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0);

    /// <summary>Weights [nMels, nFft / 2 + 1] mapping a one-sided magnitude spectrum to mel bands.</summary>
    public static float[,] Filterbank(int nFft, int nMels, int sampleRate, double fMin = 0, double? fMax = null)
    {
        var top = fMax ?? sampleRate / 2.0;
        if (nFft < 2 || nMels < 1 || fMin < 0 || top <= fMin) throw new ArgumentException($"bad mel filterbank: nFft {nFft}, nMels {nMels}, {fMin}-{top} Hz");
        var bins = nFft / 2 + 1;
        var (melLow, melHigh) = (HzToMel(fMin), HzToMel(top));
        var points = new double[nMels + 2];
        for (var i = 0; i < points.Length; i++) points[i] = MelToHz(melLow + (melHigh - melLow) * i / (nMels + 1));
        var weights = new float[nMels, bins];
        for (var b = 0; b < bins; b++)
        {
            var f = (double)(sampleRate / 2) * b / (bins - 1); // torchaudio: linspace(0, sr // 2, bins)
            for (var m = 0; m < nMels; m++)
            {
                var rising = (f - points[m]) / (points[m + 1] - points[m]);
                var falling = (points[m + 2] - f) / (points[m + 2] - points[m + 1]);
                weights[m, b] = (float)Math.Max(0, Math.Min(rising, falling));
            }
        }
        return weights;
    }
}

/// <summary>
/// log10 mel spectrogram of (B, C, L) audio: Hann-windowed STFT (centred, hop nFft / 4),
/// magnitude, mel filterbank, log10(max(mel, floor)). Differentiable.
/// </summary>
public sealed class MelSpectrogram : IDisposable
{
    private readonly Dictionary<Device, (Tensor Window, Tensor Filterbank)> perDevice = [];

    public MelSpectrogram(int sampleRate, int nFft, int nMels = 64, double floor = 1e-5)
    {
        (SampleRate, NFft, NMels, Floor) = (sampleRate, nFft, nMels, floor);
        Hop = nFft / 4;
    }

    public int SampleRate { get; }
    public int NFft { get; }
    public int Hop { get; }
    public int NMels { get; }
    public double Floor { get; }

    /// <summary>(B, C, L) -> (B * C, NMels, frames).</summary>
    public Tensor LogMel(Tensor audio)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (window, filterbank) = Constants(audio.Device);
        var flat = audio.Reshape(-1, audio.Size(-1));                       // (N, L)
        var spectrum = Signal.Stft(flat, NFft, Hop, window: window, reflectPad: audio.Size(-1) > NFft / 2);
        var magnitude = spectrum.ViewAsReal().Square().Sum(-1).Add(1e-10).Sqrt(); // (N, F, frames), safe gradient at 0
        var mel = filterbank.Matmul(magnitude);                             // (N, M, frames)
        return mel.Clamp(min: Floor).Log10().MoveToOuterScope();
    }

    private (Tensor Window, Tensor Filterbank) Constants(Device device)
    {
        if (perDevice.TryGetValue(device, out var found)) return found;
        var fb = MelScale.Filterbank(NFft, NMels, SampleRate);
        var flat = new float[fb.Length];
        Buffer.BlockCopy(fb, 0, flat, 0, flat.Length * sizeof(float));
        using var cpu = Tensor.FromArray(flat, fb.GetLength(0), fb.GetLength(1));
        var made = (Signal.HannWindow(NFft, device: device).DetachFromDisposeScope(), cpu.To(device).DetachFromDisposeScope());
        perDevice[device] = made;
        return made;
    }

    public void Dispose()
    {
        foreach (var (w, f) in perDevice.Values)
        {
            w.Dispose();
            f.Dispose();
        }
        perDevice.Clear();
    }
}

/// <summary>
/// Multi-scale mel loss: for each FFT size, L1 + L2 (mean squared) distance between log10 mel
/// spectrograms, averaged over the scales.
/// </summary>
public sealed class MultiScaleMelLoss : IDisposable
{
    private readonly List<MelSpectrogram> scales;

    public MultiScaleMelLoss(int sampleRate, IReadOnlyList<int> ffts, int nMels = 64)
    {
        if (ffts.Count == 0) throw new ArgumentException("at least one FFT size is needed", nameof(ffts));
        scales = ffts.Select(n => new MelSpectrogram(sampleRate, n, nMels)).ToList();
    }

    public IReadOnlyList<MelSpectrogram> Scales => scales;

    public Tensor Forward(Tensor estimate, Tensor reference)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Tensor? total = null;
        foreach (var scale in scales)
        {
            var a = scale.LogMel(estimate);
            var b = scale.LogMel(reference);
            var term = Functional.L1Loss(a, b) + Functional.MseLoss(a, b);
            total = total is null ? term : total + term;
        }
        return (total! / scales.Count).MoveToOuterScope();
    }

    public void Dispose()
    {
        foreach (var s in scales) s.Dispose();
    }
}
