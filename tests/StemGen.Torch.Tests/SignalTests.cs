using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class SignalTests
{
    [Fact]
    public void Hann_window_periodic_matches_closed_form_over_length()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int n = 16;
        var expected = Enumerable.Range(0, n).Select(i => 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n)).ToArray();
        Close(expected, Signal.HannWindow(n, periodic: true, dtype: ScalarType.Float64), 1e-12);
    }

    [Fact]
    public void Hann_window_symmetric_matches_closed_form_over_length_minus_one()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int n = 9;
        var expected = Enumerable.Range(0, n).Select(i => 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (n - 1))).ToArray();
        var w = Signal.HannWindow(n, periodic: false, dtype: ScalarType.Float64);
        Close(expected, w, 1e-12);
        Assert.Equal(1.0, w.ToArray<double>()[4], 12); // symmetric: peak of 1 in the middle
    }

    [Fact]
    public void Stft_of_sinusoid_at_bin_K_peaks_at_bin_K_with_hann_amplitude()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int nFft = 64, hop = 16, length = 1024, k0 = 5;
        var x = Enumerable.Range(0, length).Select(i => Math.Sin(2 * Math.PI * k0 * i / nFft)).ToArray();
        var spec = Signal.Stft(D(x), nFft, hop, window: Signal.HannWindow(nFft, dtype: ScalarType.Float64), center: true);
        Assert.Equal(ScalarType.ComplexFloat64, spec.DType);
        Shape([nFft / 2 + 1, 1 + length / hop], spec);

        var magnitude = spec.Abs();
        // every frame that lies wholly inside the signal (not touched by the reflect padding) peaks at bin k0
        var peaks = magnitude.ArgMax(0).ToArray<long>();
        for (var t = 0; t < peaks.Length; t++)
            if (t * hop - nFft / 2 >= 0 && t * hop + nFft / 2 <= length)
                Assert.Equal(k0, peaks[t]);
        // an interior frame (no padding involved): the periodic Hann window sums to nFft/2, so a unit
        // sine gives |X[k0]| = nFft/4 and the window's two side lobes |X[k0 +- 1]| = nFft/8, 0 elsewhere
        var frame = magnitude.Select(1, 10).ToArray<double>();
        for (var k = 0; k < frame.Length; k++)
        {
            var expected = k == k0 ? nFft / 4.0 : Math.Abs(k - k0) == 1 ? nFft / 8.0 : 0.0;
            Assert.Equal(expected, frame[k], 9);
        }
    }

    [Fact]
    public void Istft_of_stft_reconstructs_the_signal()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int nFft = 64, hop = 16, length = 1000;
        var x = Noise(length, 3);
        var window = Signal.HannWindow(nFft);
        var spec = Signal.Stft(F(ToFloat(x)), nFft, hop, window: window, center: true);
        var y = Signal.Istft(spec, nFft, hop, window: window, center: true, length: length);
        Shape([length], y);
        Close(x, y, 1e-5);
    }

    [Fact]
    public void Stft_of_a_batch_adds_a_leading_dimension()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var spec = Signal.Stft(Tensors.Zeros([3, 256]), 32, window: Signal.HannWindow(32));
        Shape([3, 17, 1 + 256 / 8], spec);
    }

    [Fact]
    public void View_as_complex_pairs_the_last_dimension_as_real_and_imaginary()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var z = F([1f, 2, 3, -4], 2, 2).ViewAsComplex();
        Assert.Equal(ScalarType.ComplexFloat32, z.DType);
        Shape([2], z);
        Assert.Equal(new[] { 1f, 3 }, z.Real().ToArray<float>());
        Assert.Equal(new[] { 2f, -4 }, z.Imag().ToArray<float>());
        Close([Math.Sqrt(5), 5], z.Abs(), 1e-6);
        Close([Math.Atan2(2, 1), Math.Atan2(-4, 3)], z.Angle(), 1e-6);
    }

    [Fact]
    public void View_as_real_of_view_as_complex_gives_back_the_pairs()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var r = F([1f, 2, 3, -4], 2, 2).ViewAsComplex().ViewAsReal();
        Shape([2, 2], r);
        Assert.Equal(new[] { 1f, 2, 3, -4 }, r.ToArray<float>());
    }

    [Fact]
    public void View_as_complex_shares_storage_with_the_real_tensor()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var pairs = F([1f, 2], 1, 2);
        var z = pairs.ViewAsComplex();
        pairs.FillInPlace(7);
        Assert.Equal(new[] { 7f }, z.Imag().ToArray<float>());
    }

    [Fact]
    public void Polar_builds_magnitude_times_exp_I_phase()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        double[] magnitude = [1, 2, 0.5];
        double[] phase = [0, Math.PI / 2, -2.5];
        var z = Tensors.Polar(D(magnitude), D(phase));
        Assert.Equal(ScalarType.ComplexFloat64, z.DType);
        var pairs = z.ViewAsReal().ToArray<double>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(magnitude[i] * Math.Cos(phase[i]), pairs[2 * i], 12);
            Assert.Equal(magnitude[i] * Math.Sin(phase[i]), pairs[2 * i + 1], 12);
        }
        Close(phase, z.Angle(), 1e-12);
    }

    [Fact]
    public void Angle_of_real_tensor_is_zero_or_pi()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Close([0, Math.PI, 0], D([2, -3, 0]).Angle(), 1e-12);
    }
}
