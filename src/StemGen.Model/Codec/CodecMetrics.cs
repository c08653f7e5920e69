using StemGen.Torch;

namespace StemGen.Model.Codec;

/// <summary>Reconstruction quality figures for reports.</summary>
public static class CodecMetrics
{
    /// <summary>
    /// Scale-invariant SDR in dB (Le Roux et al. 2019) of each item of (B, C, L) or (B, L) audio,
    /// over all its channels: both signals made zero-mean, target = (e.r / r.r) r,
    /// SI-SDR = 10 log10(|target|^2 / |e - target|^2). Computed in float64.
    /// </summary>
    public static double[] SiSdr(Tensor estimate, Tensor reference, double eps = 1e-12)
    {
        if (!estimate.Shape.SequenceEqual(reference.Shape))
            throw new ArgumentException($"shapes differ: [{string.Join(", ", estimate.Shape)}] vs [{string.Join(", ", reference.Shape)}]");
        using var noGrad = TorchRuntime.NoGrad();
        using var scope = TorchRuntime.NewDisposeScope();
        var e = estimate.Reshape(estimate.Size(0), -1).To(ScalarType.Float64);
        var r = reference.Reshape(reference.Size(0), -1).To(ScalarType.Float64);
        e = e - e.Mean(1, keepDim: true);
        r = r - r.Mean(1, keepDim: true);
        var alpha = (e * r).Sum(1, keepDim: true) / ((r * r).Sum(1, keepDim: true) + eps);
        var target = r * alpha;
        var noise = e - target;
        var ratio = ((target * target).Sum(1) + eps) / ((noise * noise).Sum(1) + eps);
        return (ratio.Log10() * 10.0).ToArray<double>();
    }

    /// <summary>SI-SDR in dB of one mono signal.</summary>
    public static double SiSdr(float[] estimate, float[] reference)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        return SiSdr(Tensor.FromArray(estimate, 1, estimate.Length), Tensor.FromArray(reference, 1, reference.Length))[0];
    }

    /// <summary>
    /// Mel distance: mean absolute difference of log10 mel spectrograms (64 bands; FFT sizes 512,
    /// 1024 and 2048, hop 1/4, averaged), for (B, C, L) audio. 0 for identical signals; 1 means an
    /// average error of a factor 10 in mel energy.
    /// </summary>
    public static double MelDistance(Tensor estimate, Tensor reference, int sampleRate, IReadOnlyList<int>? ffts = null, int nMels = 64)
    {
        using var noGrad = TorchRuntime.NoGrad();
        using var scope = TorchRuntime.NewDisposeScope();
        var sizes = ffts ?? [512, 1024, 2048];
        var total = 0.0;
        foreach (var n in sizes)
        {
            using var mel = new MelSpectrogram(sampleRate, n, nMels);
            total += Functional.L1Loss(mel.LogMel(estimate), mel.LogMel(reference)).ToDouble();
        }
        return total / sizes.Count;
    }
}
