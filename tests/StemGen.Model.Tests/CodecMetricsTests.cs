using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class CodecMetricsTests
{
    [Fact]
    public void Htk_mel_scale_matches_its_closed_form()
    {
        Assert.Equal(2595 * Math.Log10(2), MelScale.HzToMel(700), 9);
        Assert.Equal(0, MelScale.HzToMel(0));
        foreach (var hz in new[] { 20.0, 440, 1000, 8000, 16000 }) Assert.Equal(hz, MelScale.MelToHz(MelScale.HzToMel(hz)), 6);
    }

    [Fact]
    public void Mel_filters_are_triangles_that_sum_to_one_between_the_first_and_last_centres()
    {
        const int nFft = 1024, nMels = 40, rate = 32000;
        var fb = MelScale.Filterbank(nFft, nMels, rate);
        Assert.Equal(nMels, fb.GetLength(0));
        Assert.Equal(nFft / 2 + 1, fb.GetLength(1));
        var step = MelScale.HzToMel(rate / 2.0) / (nMels + 1);
        var (first, last) = (MelScale.MelToHz(step), MelScale.MelToHz(nMels * step));
        for (var b = 0; b < fb.GetLength(1); b++)
        {
            var hz = (double)(rate / 2) * b / (nFft / 2);
            var column = Enumerable.Range(0, nMels).Sum(m => (double)fb[m, b]);
            if (hz >= first && hz <= last) Assert.Equal(1.0, column, 5);
            Assert.True(Enumerable.Range(0, nMels).Count(m => fb[m, b] > 0) <= 2, $"bin {b} is in more than two filters");
        }
        for (var m = 0; m < nMels; m++) Assert.True(Enumerable.Range(0, fb.GetLength(1)).Max(b => fb[m, b]) > 0, $"filter {m} is empty");
    }

    [Fact]
    public void Si_sdr_ignores_scale_and_reports_the_signal_to_noise_ratio()
    {
        var random = new Random(1);
        var signal = Enumerable.Range(0, 16000).Select(n => (float)Math.Sin(2 * Math.PI * 440 * n / 16000.0)).ToArray();
        var noise = Enumerable.Range(0, 16000).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        // Scale the noise to 20 dB below the signal: SI-SDR ~ 20 dB (the noise is almost orthogonal to the sine).
        var gain = Math.Sqrt(signal.Sum(x => x * x) / noise.Sum(x => x * x) / 100);
        var noisy = signal.Zip(noise, (s, n) => (float)(s + gain * n)).ToArray();
        Assert.InRange(CodecMetrics.SiSdr(noisy, signal), 19.5, 20.5);
        Assert.True(CodecMetrics.SiSdr(signal.Select(x => 0.3f * x).ToArray(), signal) > 80);
        Assert.True(CodecMetrics.SiSdr(noise, signal) < -10);
    }

    [Fact]
    public void Mel_distance_is_zero_for_identical_audio_and_grows_with_distortion()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var clip = CodecTestData.SyntheticClip(new Random(2), 8000);
        var audio = Tensor.FromArray(clip, 1, 1, clip.Length);
        Assert.Equal(0, CodecMetrics.MelDistance(audio, audio, 32000), 9);
        var slightly = audio + Tensors.Randn(audio.Shape) * 0.001;
        var heavily = audio + Tensors.Randn(audio.Shape) * 0.1;
        var small = CodecMetrics.MelDistance(slightly, audio, 32000);
        Assert.True(small > 0);
        Assert.True(CodecMetrics.MelDistance(heavily, audio, 32000) > small);
    }

    [Fact]
    public void Multi_scale_mel_loss_is_differentiable()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var loss = new MultiScaleMelLoss(32000, [256, 512]);
        var reference = Tensors.Randn([2, 1, 4000]) * 0.1;
        var estimate = Tensors.Zeros([2, 1, 4000]);
        estimate.RequiresGrad = true;
        var value = loss.Forward(estimate, reference);
        value.Backward();
        Assert.True(value.ToDouble() > 0);
        Assert.True(estimate.Grad!.IsFinite().All().ToBoolean());
        Assert.Equal(0, loss.Forward(reference, reference).ToDouble(), 9);
    }
}
