namespace StemGen.Torch.Tests;

/// <summary>Small helpers shared by the tests: seeded data and host-side comparisons.</summary>
internal static class TestData
{
    public static double[] Random(int count, int seed, double scale = 1.0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    public static Tensor Tensor64(double[] data, params long[] shape) => Tensor.FromArray(data, shape);

    public static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance = 1e-9)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>Central finite-difference gradient of a scalar function of one float64 input.</summary>
    public static double[] NumericGradient(double[] x, long[] shape, Func<Tensor, Tensor> f, double h = 1e-6)
    {
        var grad = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            using var scope = TorchRuntime.NewDisposeScope();
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[i] += h;
            minus[i] -= h;
            grad[i] = (f(Tensor.FromArray(plus, shape)).ToDouble() - f(Tensor.FromArray(minus, shape)).ToDouble()) / (2 * h);
        }
        return grad;
    }

    /// <summary>The autograd gradient of a scalar function at x.</summary>
    public static double[] AutogradGradient(double[] x, long[] shape, Func<Tensor, Tensor> f)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var input = Tensor.FromArray(x, shape);
        input.RequiresGrad = true;
        f(input).Backward();
        return input.Grad!.ToArray<double>();
    }
}
