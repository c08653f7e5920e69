using System.Runtime.InteropServices;
using StemGen.Torch.Interop;

namespace StemGen.Torch;

/// <summary>
/// A libtorch tensor. Owns its native handle: dispose it, or create it inside a
/// <see cref="DisposeScope"/>; the finalizer is only a safety net. Ops return new tensors
/// (views share storage, as in PyTorch); inputs are never consumed.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    internal readonly TensorHandle Handle;
    private DisposeScope? scope;

    internal Tensor(IntPtr handle)
    {
        Handle = new TensorHandle(handle);
        scope = DisposeScope.Current;
        scope?.Add(this);
    }

    /// <summary>Native tensor handles alive in this process (for leak checks).</summary>
    public static long LiveCount => TensorHandle.Live;

    public bool IsDisposed => Handle.IsClosed;

    public void Dispose()
    {
        scope?.Remove(this);
        scope = null;
        Handle.Dispose();
    }

    internal void DisposeWithoutScope()
    {
        scope = null;
        Handle.Dispose();
    }

    /// <summary>Hands this tensor to the enclosing scope (or to no scope) so it outlives the current one.</summary>
    public Tensor MoveToOuterScope()
    {
        if (scope is null) return this;
        scope.Remove(this);
        scope = scope.Outer;
        scope?.Add(this);
        return this;
    }

    /// <summary>Takes this tensor out of every dispose scope: the caller now owns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        scope?.Remove(this);
        scope = null;
        return this;
    }

    // ---- interop helpers ----
    internal static Tensor Wrap(IntPtr handle) =>
        handle == IntPtr.Zero ? throw TorchException.FromNative() : new Tensor(handle);

    internal static void Check(int status)
    {
        if (status < 0) throw TorchException.FromNative();
    }

    internal static TensorHandle Of(Tensor? t) => t?.Handle ?? TensorHandle.Null;

    internal static unsafe Tensor[] WrapList(IntPtr* handles, long count)
    {
        if (count < 0) throw TorchException.FromNative();
        var result = new Tensor[count];
        for (var i = 0; i < count; i++) result[i] = new Tensor(handles[i]);
        return result;
    }

    // ---- metadata ----
    public long Dim => Native.sg_dim(Handle);

    public unsafe long[] Shape
    {
        get
        {
            var shape = new long[Dim];
            fixed (long* p = shape) Check(Native.sg_shape(Handle, p));
            return shape;
        }
    }

    /// <summary>Size of one dimension (negative counts from the end).</summary>
    public long Size(long dim)
    {
        var shape = Shape;
        var d = dim < 0 ? dim + shape.Length : dim;
        if (d < 0 || d >= shape.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} out of range for a {shape.Length}-d tensor");
        return shape[d];
    }

    public long NumEl => Native.sg_numel(Handle);
    public ScalarType DType => (ScalarType)Native.sg_dtype(Handle);
    public Device Device => new((DeviceType)Native.sg_device_type(Handle), Native.sg_device_index(Handle));
    public bool IsContiguous => Native.sg_is_contiguous(Handle) == 1;

    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor[{string.Join(", ", Shape)}] {DType} {Device}";

    /// <summary>libtorch's own printout of the values.</summary>
    public string Format()
    {
        var text = Native.sg_to_string(Handle);
        if (text == IntPtr.Zero) throw TorchException.FromNative();
        return Native.Text(text);
    }

    // ---- host data ----
    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null)
        where T : unmanaged =>
        FromBytes(MemoryMarshal.AsBytes(data), ScalarTypeExtensions.For<T>(), shape, device);

    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged =>
        FromSpan<T>(data, shape.Length == 0 ? [data.LongLength] : shape);

    /// <summary>A scalar (0-d) tensor.</summary>
    public static Tensor Scalar<T>(T value, Device? device = null) where T : unmanaged =>
        FromSpan(new ReadOnlySpan<T>(in value), [], device);

    /// <summary>A tensor from raw little-endian element bytes (any dtype, bfloat16 included).</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, ScalarType dtype, ReadOnlySpan<long> shape, Device? device = null)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension {d} in shape [{string.Join(", ", shape.ToArray())}]", nameof(shape));
            count *= d;
        }
        if (count * dtype.ElementSize() != bytes.Length)
            throw new ArgumentException($"{bytes.Length} bytes do not hold a {dtype} tensor of shape [{string.Join(", ", shape.ToArray())}] ({count * dtype.ElementSize()} bytes)");
        var dev = device ?? Device.CPU;
        fixed (byte* p = bytes)
        fixed (long* s = shape)
            return Wrap(Native.sg_from_data(p, s, shape.Length, (int)dtype, (int)dev.Type, Math.Max(dev.Index, 0)));
    }

    /// <summary>Copies the elements (row-major) to a new array; T must match the dtype.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[NumEl];
        CopyTo<T>(result);
        return result;
    }

    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var want = ScalarTypeExtensions.For<T>();
        if (want != DType)
            throw new InvalidOperationException($"tensor holds {DType}, not {want}: convert it first with .To(ScalarType.{want})");
        CopyBytesTo(MemoryMarshal.AsBytes(destination));
    }

    /// <summary>Copies the raw element bytes; the destination must hold exactly NumEl * element size.</summary>
    public unsafe void CopyBytesTo(Span<byte> destination)
    {
        fixed (byte* p = destination) Check(Native.sg_copy_to_host(Handle, p, destination.Length));
    }

    public double ToDouble()
    {
        Check(Native.sg_item_double(Handle, out var v));
        return v;
    }

    public float ToSingle() => (float)ToDouble();

    public long ToInt64()
    {
        Check(Native.sg_item_long(Handle, out var v));
        return v;
    }

    public bool ToBoolean() => ToInt64() != 0;

    // ---- devices, types, copies ----
    public Tensor To(Device device, ScalarType? dtype = null, bool nonBlocking = false) =>
        Wrap(Native.sg_to(Handle, (int)device.Type, Math.Max(device.Index, 0), (int)(dtype ?? DType), nonBlocking ? 1 : 0));

    public Tensor To(ScalarType dtype) => To(Device, dtype);

    public Tensor Cpu() => To(Device.CPU);

    public Tensor Clone() => Wrap(Native.sg_clone(Handle));

    /// <summary>The same values, cut off from the autograd graph.</summary>
    public Tensor Detach() => Wrap(Native.sg_detach(Handle));

    /// <summary>A second handle to this very tensor (same storage, same autograd identity).</summary>
    public Tensor Alias() => Wrap(Native.sg_alias(Handle));

    /// <summary>Copies <paramref name="source"/>'s values into this tensor (outside autograd).</summary>
    public void CopyFrom(Tensor source) => Check(Native.sg_copy_(Handle, source.Handle));

    /// <summary>Replaces this tensor's storage by <paramref name="source"/>'s, keeping its identity.</summary>
    public void SetData(Tensor source) => Check(Native.sg_set_data(Handle, source.Handle));

    // ---- autograd ----
    public bool RequiresGrad
    {
        get => Native.sg_requires_grad(Handle) == 1;
        set => Check(Native.sg_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>The accumulated gradient, or null before any backward pass.</summary>
    public Tensor? Grad
    {
        get
        {
            Check(Native.sg_grad(Handle, out var g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Check(Native.sg_set_grad(Handle, Of(value)));
    }

    public void Backward(Tensor? gradOutput = null, bool retainGraph = false) =>
        Check(Native.sg_backward(Handle, Of(gradOutput), retainGraph ? 1 : 0));
}
