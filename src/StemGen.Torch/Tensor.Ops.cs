using StemGen.Torch.Interop;

namespace StemGen.Torch;

// Elementwise, shape and reduction ops. Dimensions may be negative (counted from the end).
public sealed partial class Tensor
{
    private Tensor Unary(UnaryOp op) => Wrap(Native.sg_unary(Handle, (int)op));
    private Tensor Binary(Tensor other, BinaryOp op) => Wrap(Native.sg_binary(Handle, other.Handle, (int)op));
    private Tensor Binary(double other, BinaryOp op) => Wrap(Native.sg_binary_scalar(Handle, other, (int)op));
    private Tensor Binary(long other, BinaryOp op) => Wrap(Native.sg_binary_scalar_long(Handle, other, (int)op));

    // ---- unary ----
    public Tensor Neg() => Unary(UnaryOp.Neg);
    public Tensor Abs() => Unary(UnaryOp.Abs);
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor Exp() => Unary(UnaryOp.Exp);
    public Tensor Log() => Unary(UnaryOp.Log);
    public Tensor Log1p() => Unary(UnaryOp.Log1p);
    public Tensor Expm1() => Unary(UnaryOp.Expm1);
    public Tensor Log2() => Unary(UnaryOp.Log2);
    public Tensor Log10() => Unary(UnaryOp.Log10);
    public Tensor Sin() => Unary(UnaryOp.Sin);
    public Tensor Cos() => Unary(UnaryOp.Cos);
    public Tensor Atan() => Unary(UnaryOp.Atan);
    public Tensor Tanh() => Unary(UnaryOp.Tanh);
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor Relu() => Unary(UnaryOp.Relu);
    public Tensor Silu() => Unary(UnaryOp.Silu);
    /// <summary>GELU, exact (erf) or with the tanh approximation.</summary>
    public Tensor Gelu(bool tanhApproximation = false) => Unary(tanhApproximation ? UnaryOp.GeluTanh : UnaryOp.Gelu);
    public Tensor Elu(double alpha = 1.0) => Wrap(Native.sg_elu(Handle, alpha));
    public Tensor LeakyRelu(double slope = 0.01) => Wrap(Native.sg_leaky_relu(Handle, slope));
    public Tensor Softmax(long dim) => Wrap(Native.sg_softmax(Handle, dim));
    public Tensor LogSoftmax(long dim) => Wrap(Native.sg_log_softmax(Handle, dim));
    public Tensor Sign() => Unary(UnaryOp.Sign);
    public Tensor Floor() => Unary(UnaryOp.Floor);
    public Tensor Ceil() => Unary(UnaryOp.Ceil);
    public Tensor Round() => Unary(UnaryOp.Round);
    public Tensor Square() => Unary(UnaryOp.Square);
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);
    public Tensor IsNaN() => Unary(UnaryOp.IsNaN);
    public Tensor IsInf() => Unary(UnaryOp.IsInf);
    public Tensor IsFinite() => Unary(UnaryOp.IsFinite);
    // complex
    public Tensor Real() => Unary(UnaryOp.Real);
    public Tensor Imag() => Unary(UnaryOp.Imag);
    public Tensor Angle() => Unary(UnaryOp.Angle);
    /// <summary>A complex (..) tensor as a real (.., 2) view.</summary>
    public Tensor ViewAsReal() => Unary(UnaryOp.ViewAsReal);
    /// <summary>A real (.., 2) tensor as a complex (..) view.</summary>
    public Tensor ViewAsComplex() => Unary(UnaryOp.ViewAsComplex);

    // ---- binary (tensor or scalar; scalars promote like Python numbers) ----
    public Tensor Add(Tensor other) => Binary(other, BinaryOp.Add);
    public Tensor Add(Tensor other, double alpha) => Wrap(Native.sg_add_scaled(Handle, other.Handle, alpha));
    public Tensor Add(double other) => Binary(other, BinaryOp.Add);
    public Tensor Add(long other) => Binary(other, BinaryOp.Add);
    public Tensor Sub(Tensor other) => Binary(other, BinaryOp.Sub);
    public Tensor Sub(double other) => Binary(other, BinaryOp.Sub);
    public Tensor Sub(long other) => Binary(other, BinaryOp.Sub);
    public Tensor Mul(Tensor other) => Binary(other, BinaryOp.Mul);
    public Tensor Mul(double other) => Binary(other, BinaryOp.Mul);
    public Tensor Mul(long other) => Binary(other, BinaryOp.Mul);
    public Tensor Div(Tensor other) => Binary(other, BinaryOp.Div);
    public Tensor Div(double other) => Binary(other, BinaryOp.Div);
    public Tensor FloorDivide(Tensor other) => Binary(other, BinaryOp.FloorDivide);
    public Tensor FloorDivide(long other) => Binary(other, BinaryOp.FloorDivide);
    public Tensor Remainder(Tensor other) => Binary(other, BinaryOp.Remainder);
    public Tensor Remainder(long other) => Binary(other, BinaryOp.Remainder);
    public Tensor Pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor Pow(double exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor Atan2(Tensor other) => Binary(other, BinaryOp.Atan2);
    public Tensor Maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
    public Tensor Minimum(Tensor other) => Binary(other, BinaryOp.Minimum);
    public Tensor Eq(Tensor other) => Binary(other, BinaryOp.Eq);
    public Tensor Eq(double other) => Binary(other, BinaryOp.Eq);
    public Tensor Eq(long other) => Binary(other, BinaryOp.Eq);
    public Tensor Ne(Tensor other) => Binary(other, BinaryOp.Ne);
    public Tensor Ne(long other) => Binary(other, BinaryOp.Ne);
    public Tensor Lt(Tensor other) => Binary(other, BinaryOp.Lt);
    public Tensor Lt(double other) => Binary(other, BinaryOp.Lt);
    public Tensor Le(Tensor other) => Binary(other, BinaryOp.Le);
    public Tensor Le(double other) => Binary(other, BinaryOp.Le);
    public Tensor Gt(Tensor other) => Binary(other, BinaryOp.Gt);
    public Tensor Gt(double other) => Binary(other, BinaryOp.Gt);
    public Tensor Ge(Tensor other) => Binary(other, BinaryOp.Ge);
    public Tensor Ge(double other) => Binary(other, BinaryOp.Ge);
    public Tensor LogicalAnd(Tensor other) => Binary(other, BinaryOp.LogicalAnd);
    public Tensor LogicalOr(Tensor other) => Binary(other, BinaryOp.LogicalOr);
    public Tensor LogicalXor(Tensor other) => Binary(other, BinaryOp.LogicalXor);

    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(Native.sg_clamp(Handle, min ?? 0, max ?? 0, min.HasValue ? 1 : 0, max.HasValue ? 1 : 0));

    /// <summary>this + weight * (end - this).</summary>
    public Tensor Lerp(Tensor end, double weight) => Wrap(Native.sg_lerp(Handle, end.Handle, weight));

    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    public static Tensor operator -(double a, Tensor b) => Wrap(Native.sg_scalar_binary(a, b.Handle, (int)BinaryOp.Sub));
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    public static Tensor operator /(double a, Tensor b) => Wrap(Native.sg_scalar_binary(a, b.Handle, (int)BinaryOp.Div));
    public static Tensor operator -(Tensor a) => a.Neg();

    // ---- in place, outside autograd (optimisers, EMA statistics) ----
    public Tensor AddInPlace(Tensor other, double alpha = 1.0) { Check(Native.sg_add_(Handle, other.Handle, alpha)); return this; }
    public Tensor MulInPlace(double factor) { Check(Native.sg_mul_scalar_(Handle, factor)); return this; }
    public Tensor MulInPlace(Tensor other) { Check(Native.sg_mul_(Handle, other.Handle)); return this; }
    public Tensor FillInPlace(double value) { Check(Native.sg_fill_(Handle, value)); return this; }
    public Tensor ZeroInPlace() => FillInPlace(0);
    public Tensor LerpInPlace(Tensor end, double weight) { Check(Native.sg_lerp_(Handle, end.Handle, weight)); return this; }
    public Tensor IndexCopyInPlace(long dim, Tensor index, Tensor source) { Check(Native.sg_index_copy_(Handle, dim, index.Handle, source.Handle)); return this; }
    public Tensor UniformInPlace(double from = 0, double to = 1, Generator? generator = null) { Check(Native.sg_uniform_(Handle, from, to, Generator.Of(generator))); return this; }
    public Tensor NormalInPlace(double mean = 0, double std = 1, Generator? generator = null) { Check(Native.sg_normal_(Handle, mean, std, Generator.Of(generator))); return this; }

    // ---- matrix products ----
    public Tensor Matmul(Tensor other) => Wrap(Native.sg_matmul(Handle, other.Handle));
    public Tensor Bmm(Tensor other) => Wrap(Native.sg_bmm(Handle, other.Handle));

    // ---- reductions ----
    private unsafe Tensor Reduce(long[] dims, Func<IntPtr, long, IntPtr> call)
    {
        fixed (long* p = dims) return Wrap(call((IntPtr)p, dims.Length));
    }

    public unsafe Tensor Sum(ScalarType? dtype = null) => Wrap(Native.sg_sum(Handle, null, 0, 0, dtype is { } t ? (int)t : -1));
    public Tensor Sum(long dim, bool keepDim = false) => Sum([dim], keepDim);
    public unsafe Tensor Sum(long[] dims, bool keepDim = false, ScalarType? dtype = null) =>
        Reduce(dims, (p, n) => Native.sg_sum(Handle, (long*)p, n, keepDim ? 1 : 0, dtype is { } t ? (int)t : -1));
    public unsafe Tensor Mean() => Wrap(Native.sg_mean(Handle, null, 0, 0));
    public Tensor Mean(long dim, bool keepDim = false) => Mean([dim], keepDim);
    public unsafe Tensor Mean(long[] dims, bool keepDim = false) =>
        Reduce(dims, (p, n) => Native.sg_mean(Handle, (long*)p, n, keepDim ? 1 : 0));
    /// <summary>Variance with the given correction (1 = unbiased, n-1).</summary>
    public unsafe Tensor Var(long[]? dims = null, long correction = 1, bool keepDim = false) =>
        Reduce(dims ?? [], (p, n) => Native.sg_var(Handle, (long*)p, n, correction, keepDim ? 1 : 0));
    public Tensor LogSumExp(long dim, bool keepDim = false) => LogSumExp([dim], keepDim);
    public unsafe Tensor LogSumExp(long[] dims, bool keepDim = false) =>
        Reduce(dims, (p, n) => Native.sg_logsumexp(Handle, (long*)p, n, keepDim ? 1 : 0));
    public unsafe Tensor Norm(double p = 2, long[]? dims = null, bool keepDim = false) =>
        Reduce(dims ?? [], (d, n) => Native.sg_norm(Handle, p, (long*)d, n, keepDim ? 1 : 0));
    public Tensor Max() => Wrap(Native.sg_max_all(Handle));
    public Tensor Min() => Wrap(Native.sg_min_all(Handle));

    /// <summary>Largest values along a dimension and where they are.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        var values = Native.sg_max_dim(Handle, dim, keepDim ? 1 : 0, out var indices);
        return (Wrap(values), new Tensor(indices));
    }

    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false)
    {
        var values = Native.sg_min_dim(Handle, dim, keepDim ? 1 : 0, out var indices);
        return (Wrap(values), new Tensor(indices));
    }

    public Tensor ArgMax() => Wrap(Native.sg_argmax(Handle, 0, 0, 0));
    public Tensor ArgMax(long dim, bool keepDim = false) => Wrap(Native.sg_argmax(Handle, dim, 1, keepDim ? 1 : 0));
    public Tensor ArgMin(long dim, bool keepDim = false) => Wrap(Native.sg_argmin(Handle, dim, 1, keepDim ? 1 : 0));
    public Tensor CumSum(long dim) => Wrap(Native.sg_cumsum(Handle, dim));
    public Tensor All() => Wrap(Native.sg_all(Handle));
    public Tensor Any() => Wrap(Native.sg_any(Handle));

    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false, bool stable = false)
    {
        var values = Native.sg_sort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0, out var indices);
        return (Wrap(values), new Tensor(indices));
    }

    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        var values = Native.sg_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var indices);
        return (Wrap(values), new Tensor(indices));
    }

    // ---- shape ----
    private unsafe Tensor WithDims(long[] dims, Func<IntPtr, long, IntPtr> call)
    {
        fixed (long* p = dims) return Wrap(call((IntPtr)p, dims.Length));
    }

    public unsafe Tensor Reshape(params long[] shape) => WithDims(shape, (p, n) => Native.sg_reshape(Handle, (long*)p, n));
    public unsafe Tensor View(params long[] shape) => WithDims(shape, (p, n) => Native.sg_view(Handle, (long*)p, n));
    public unsafe Tensor Permute(params long[] order) => WithDims(order, (p, n) => Native.sg_permute(Handle, (long*)p, n));
    public unsafe Tensor Expand(params long[] shape) => WithDims(shape, (p, n) => Native.sg_expand(Handle, (long*)p, n));
    public unsafe Tensor Repeat(params long[] repeats) => WithDims(repeats, (p, n) => Native.sg_repeat(Handle, (long*)p, n));
    public unsafe Tensor Flip(params long[] dims) => WithDims(dims, (p, n) => Native.sg_flip(Handle, (long*)p, n));
    public Tensor Transpose(long dim0, long dim1) => Wrap(Native.sg_transpose(Handle, dim0, dim1));
    public Tensor Contiguous() => Wrap(Native.sg_contiguous(Handle));
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(Native.sg_flatten(Handle, startDim, endDim));
    public Tensor RepeatInterleave(long repeats, long dim) => Wrap(Native.sg_repeat_interleave(Handle, repeats, dim));
    public Tensor Squeeze() => Wrap(Native.sg_squeeze_all(Handle));
    public Tensor Squeeze(long dim) => Wrap(Native.sg_squeeze(Handle, dim));
    public Tensor Unsqueeze(long dim) => Wrap(Native.sg_unsqueeze(Handle, dim));
    public Tensor Roll(long shift, long dim) => Wrap(Native.sg_roll(Handle, shift, dim));
    public Tensor Tril(long diagonal = 0) => Wrap(Native.sg_tril(Handle, diagonal));
    public Tensor Triu(long diagonal = 0) => Wrap(Native.sg_triu(Handle, diagonal));

    /// <summary>Pads the last dimensions: pads = (left, right) for the last, then the one before, as torch.</summary>
    public unsafe Tensor Pad(long[] pads, PadMode mode = PadMode.Constant, double value = 0) =>
        WithDims(pads, (p, n) => Native.sg_pad(Handle, (long*)p, n, (int)mode, value));

    // ---- indexing ----
    public Tensor Narrow(long dim, long start, long length) => Wrap(Native.sg_narrow(Handle, dim, start, length));
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(Native.sg_slice(Handle, dim, start, end, step));
    public Tensor Select(long dim, long index) => Wrap(Native.sg_select(Handle, dim, index));
    public Tensor IndexSelect(long dim, Tensor index) => Wrap(Native.sg_index_select(Handle, dim, index.Handle));
    /// <summary>Advanced indexing on the first dimension: t[index] for a long or bool tensor.</summary>
    public Tensor Index(Tensor index) => Wrap(Native.sg_index_tensor(Handle, index.Handle));
    public Tensor Gather(long dim, Tensor index) => Wrap(Native.sg_gather(Handle, dim, index.Handle));
    public Tensor Scatter(long dim, Tensor index, Tensor source) => Wrap(Native.sg_scatter(Handle, dim, index.Handle, source.Handle));
    public Tensor Scatter(long dim, Tensor index, double value) => Wrap(Native.sg_scatter_value(Handle, dim, index.Handle, value));
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) => Wrap(Native.sg_scatter_add(Handle, dim, index.Handle, source.Handle));
    public Tensor IndexAdd(long dim, Tensor index, Tensor source) => Wrap(Native.sg_index_add(Handle, dim, index.Handle, source.Handle));
    public Tensor MaskedFill(Tensor mask, double value) => Wrap(Native.sg_masked_fill(Handle, mask.Handle, value));
    public Tensor MaskedSelect(Tensor mask) => Wrap(Native.sg_masked_select(Handle, mask.Handle));
    public Tensor NonZero() => Wrap(Native.sg_nonzero(Handle));

    // ---- splitting ----
    public unsafe Tensor[] Split(long size, long dim = 0)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "split size must be positive");
        var cap = Math.Max(1, (Size(dim) + size - 1) / size);
        var buffer = new IntPtr[cap];
        fixed (IntPtr* outs = buffer) return WrapList(outs, Native.sg_split(Handle, size, dim, outs, cap));
    }

    public unsafe Tensor[] Split(long[] sizes, long dim = 0)
    {
        var buffer = new IntPtr[Math.Max(1, sizes.Length)];
        fixed (IntPtr* outs = buffer)
        fixed (long* s = sizes) return WrapList(outs, Native.sg_split_sizes(Handle, s, sizes.Length, dim, outs, sizes.Length));
    }

    public unsafe Tensor[] Chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "chunk count must be positive");
        var buffer = new IntPtr[chunks];
        fixed (IntPtr* outs = buffer) return WrapList(outs, Native.sg_chunk(Handle, chunks, dim, outs, chunks));
    }

    public unsafe Tensor[] Unbind(long dim = 0)
    {
        var cap = Size(dim);
        var buffer = new IntPtr[Math.Max(1, cap)];
        fixed (IntPtr* outs = buffer) return WrapList(outs, Native.sg_unbind(Handle, dim, outs, cap));
    }
}
