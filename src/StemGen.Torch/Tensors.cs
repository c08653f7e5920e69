using StemGen.Torch.Interop;

namespace StemGen.Torch;

/// <summary>Functions that make tensors: constants, ranges, random draws, joins.</summary>
public static class Tensors
{

    private static unsafe Tensor Create(long[] shape, ScalarType dtype, Device? device,
        Func<IntPtr, long, int, int, int, IntPtr> call)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = shape) return Tensor.Wrap(call((IntPtr)p, shape.Length, (int)dtype, (int)d.Type, Math.Max(d.Index, 0)));
    }

    public static unsafe Tensor Zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Create(shape, dtype, device, (p, n, t, dt, di) => Native.sg_zeros((long*)p, n, t, dt, di));
    public static unsafe Tensor Ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Create(shape, dtype, device, (p, n, t, dt, di) => Native.sg_ones((long*)p, n, t, dt, di));
    public static unsafe Tensor Empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Create(shape, dtype, device, (p, n, t, dt, di) => Native.sg_empty((long*)p, n, t, dt, di));
    public static unsafe Tensor Full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Create(shape, dtype, device, (p, n, t, dt, di) => Native.sg_full((long*)p, n, value, t, dt, di));

    public static Tensor Arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(Native.sg_arange(start, end, step, (int)dtype, (int)d.Type, Math.Max(d.Index, 0)));
    }

    public static Tensor Arange(long end, ScalarType dtype = ScalarType.Int64, Device? device = null) => Arange(0, end, 1, dtype, device);

    public static Tensor Linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(Native.sg_linspace(start, end, steps, (int)dtype, (int)d.Type, Math.Max(d.Index, 0)));
    }

    public static Tensor Eye(long n, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(Native.sg_eye(n, (int)dtype, (int)d.Type, Math.Max(d.Index, 0)));
    }

    // ---- random (generator null = the device's default generator) ----
    public static unsafe Tensor Rand(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Create(shape, dtype, device, (p, n, t, dt, di) => Native.sg_rand((long*)p, n, Generator.Of(generator), t, dt, di));
    public static unsafe Tensor Randn(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Create(shape, dtype, device, (p, n, t, dt, di) => Native.sg_randn((long*)p, n, Generator.Of(generator), t, dt, di));
    /// <summary>Integers uniformly from [low, high).</summary>
    public static unsafe Tensor RandInt(long low, long high, long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Int64, Device? device = null) =>
        Create(shape, dtype, device, (p, n, t, dt, di) => Native.sg_randint(low, high, (long*)p, n, Generator.Of(generator), t, dt, di));
    /// <summary>Standard Gumbel noise, -log(-log U).</summary>
    public static unsafe Tensor Gumbel(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Create(shape, dtype, device, (p, n, t, dt, di) => Native.sg_gumbel((long*)p, n, Generator.Of(generator), t, dt, di));

    /// <summary>
    /// The Gumbel noise <see cref="Gumbel"/> makes of uniform draws (float32 or float64), element by
    /// element: <c>Gumbel(shape, g)</c> equals <c>GumbelFromUniform(Rand(shape, g))</c>, so noise can be
    /// made for some rows of one draw only and still match the whole draw's there.
    /// </summary>
    public static Tensor GumbelFromUniform(Tensor uniform) => Tensor.Wrap(Native.sg_gumbel_from_uniform(uniform.Handle));

    public static Tensor RandPerm(long n, Generator? generator = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(Native.sg_randperm(n, Generator.Of(generator), (int)ScalarType.Int64, (int)d.Type, Math.Max(d.Index, 0)));
    }

    /// <summary>Draws indices from each row of (unnormalised, non-negative) probabilities.</summary>
    public static Tensor Multinomial(Tensor probabilities, long samples, bool replacement = false, Generator? generator = null) =>
        Tensor.Wrap(Native.sg_multinomial(probabilities.Handle, samples, replacement ? 1 : 0, Generator.Of(generator)));

    public static Tensor Bernoulli(Tensor probabilities, Generator? generator = null) =>
        Tensor.Wrap(Native.sg_bernoulli(probabilities.Handle, Generator.Of(generator)));

    // ---- joins and selection ----
    public static unsafe Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        using var borrowed = new BorrowedHandles(tensors);
        fixed (IntPtr* p = borrowed.Pointers) return Tensor.Wrap(Native.sg_cat(p, tensors.Count, dim));
    }

    public static unsafe Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        using var borrowed = new BorrowedHandles(tensors);
        fixed (IntPtr* p = borrowed.Pointers) return Tensor.Wrap(Native.sg_stack(p, tensors.Count, dim));
    }

    public static unsafe Tensor Einsum(string equation, params Tensor[] operands)
    {
        using var borrowed = new BorrowedHandles(operands);
        fixed (IntPtr* p = borrowed.Pointers) return Tensor.Wrap(Native.sg_einsum(equation, p, operands.Length));
    }

    /// <summary>Elementwise condition ? a : b.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) =>
        Tensor.Wrap(Native.sg_where(condition.Handle, a.Handle, b.Handle));

    /// <summary>A complex tensor from magnitudes and phases.</summary>
    public static Tensor Polar(Tensor magnitude, Tensor angle) => Tensor.Wrap(Native.sg_polar(magnitude.Handle, angle.Handle));
}
