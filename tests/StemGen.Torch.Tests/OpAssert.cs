using StemGen.Torch;

namespace StemGen.Torch.Tests;

/// <summary>Reads tensors back to host arrays and compares them with expectations computed in C#.</summary>
internal static class OpAssert
{
    /// <summary>The elements (row-major) as float64, whatever the dtype.</summary>
    public static double[] Values(Tensor t)
    {
        if (t.DType == ScalarType.Float64) return t.ToArray<double>();
        using var d = t.To(ScalarType.Float64);
        return d.ToArray<double>();
    }

    public static long[] Longs(Tensor t)
    {
        if (t.DType == ScalarType.Int64) return t.ToArray<long>();
        using var d = t.To(ScalarType.Int64);
        return d.ToArray<long>();
    }

    public static bool[] Bools(Tensor t)
    {
        if (t.DType == ScalarType.Bool) return t.ToArray<bool>();
        using var d = t.To(ScalarType.Bool);
        return d.ToArray<bool>();
    }

    /// <summary>|expected - actual| &lt;= tolerance * (1 + |expected|) element by element.</summary>
    public static void Close(double[] expected, double[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (e == a) continue; // infinities
            if (!(Math.Abs(e - a) <= tolerance * (1 + Math.Abs(e))))
                Assert.Fail($"element {i}: expected {e}, got {a} (tolerance {tolerance})\nexpected [{string.Join(", ", expected)}]\nactual   [{string.Join(", ", actual)}]");
        }
    }

    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-5) =>
        Close(expected, Values(actual), tolerance);

    public static void Close(double expected, double actual, double tolerance = 1e-5) =>
        Close([expected], [actual], tolerance);

    public static void Shape(long[] expected, Tensor t) => Assert.Equal(expected, t.Shape);

    /// <summary>A float32 tensor of the given shape (1-d of the data when no shape is given).</summary>
    public static Tensor F(float[] data, params long[] shape) => Tensor.FromArray(data, shape);

    public static Tensor D(double[] data, params long[] shape) => Tensor.FromArray(data, shape);

    public static Tensor L(long[] data, params long[] shape) => Tensor.FromArray(data, shape);

    public static Tensor B(bool[] data, params long[] shape) => Tensor.FromArray(data, shape);

    /// <summary>0, 1, 2, ... as float64, for test inputs.</summary>
    public static double[] Iota(int n, double start = 0, double step = 1)
    {
        var r = new double[n];
        for (var i = 0; i < n; i++) r[i] = start + i * step;
        return r;
    }

    /// <summary>Deterministic pseudo-random values in [lo, hi) (a fixed System.Random seed).</summary>
    public static double[] Noise(int n, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        var r = new double[n];
        for (var i = 0; i < n; i++) r[i] = lo + (hi - lo) * rng.NextDouble();
        return r;
    }

    public static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);
}

/// <summary>
/// Checks autograd gradients against central finite differences in float64: the function's
/// output is contracted with fixed weights w, so the gradient of sum(w * f(x)) is compared with
/// (sum(w * f(x + h e_i)) - sum(w * f(x - h e_i))) / 2h for every element i of every input.
/// </summary>
internal static class GradCheck
{
    public readonly record struct Input(double[] Data, long[] Shape);

    public static Input In(double[] data, params long[] shape) => new(data, shape.Length == 0 ? [data.LongLength] : shape);

    public static void Check(Func<Tensor[], Tensor> f, params Input[] inputs) => Check(f, 1e-6, 1e-6, inputs);

    public static void Check(Func<Tensor[], Tensor> f, double step, double tolerance, params Input[] inputs)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var xs = new Tensor[inputs.Length];
        for (var j = 0; j < inputs.Length; j++)
        {
            xs[j] = Tensor.FromSpan<double>(inputs[j].Data, inputs[j].Shape);
            xs[j].RequiresGrad = true;
        }
        var y = f(xs);
        Assert.Equal(ScalarType.Float64, y.DType);
        var weights = new double[y.NumEl];
        for (var k = 0; k < weights.Length; k++) weights[k] = 0.3 + Math.Cos(1.7 * k + 0.2);
        y.Backward(Tensor.FromSpan<double>(weights, y.Shape));

        for (var j = 0; j < inputs.Length; j++)
        {
            var grad = xs[j].Grad ?? throw new Xunit.Sdk.XunitException($"input {j} has no gradient after backward");
            var analytic = grad.ToArray<double>();
            var numeric = new double[inputs[j].Data.Length];
            for (var i = 0; i < numeric.Length; i++)
            {
                var plus = Contract(f, inputs, weights, j, i, step);
                var minus = Contract(f, inputs, weights, j, i, -step);
                numeric[i] = (plus - minus) / (2 * step);
            }
            for (var i = 0; i < numeric.Length; i++)
                if (!(Math.Abs(numeric[i] - analytic[i]) <= tolerance * (1 + Math.Abs(numeric[i]))))
                    Assert.Fail($"input {j} element {i}: autograd {analytic[i]}, finite difference {numeric[i]}\n" +
                                $"autograd [{string.Join(", ", analytic)}]\nnumeric  [{string.Join(", ", numeric)}]");
        }
    }

    private static double Contract(Func<Tensor[], Tensor> f, Input[] inputs, double[] weights, int which, int element, double delta)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var noGrad = TorchRuntime.NoGrad();
        var xs = new Tensor[inputs.Length];
        for (var j = 0; j < inputs.Length; j++)
        {
            var data = (double[])inputs[j].Data.Clone();
            if (j == which) data[element] += delta;
            xs[j] = Tensor.FromSpan<double>(data, inputs[j].Shape);
        }
        var y = f(xs).ToArray<double>();
        var total = 0.0;
        for (var k = 0; k < y.Length; k++) total += weights[k] * y[k];
        return total;
    }
}
