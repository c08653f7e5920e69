using System.Runtime.InteropServices;

namespace StemGen.Torch.Interop;

/// <summary>
/// Owns one native at::Tensor handle. Being a SafeHandle, it cannot be released while a native
/// call is using it, and it is freed by its finalizer if nobody disposed it.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    private static long live;

    /// <summary>A handle meaning "no tensor", for optional arguments. Never released.</summary>
    internal static readonly TensorHandle Null = new();

    internal TensorHandle() : base(IntPtr.Zero, ownsHandle: false) { }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
        Interlocked.Increment(ref live);
    }

    internal static long Live => Interlocked.Read(ref live);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.sg_tensor_free(handle);
        Interlocked.Decrement(ref live);
        return true;
    }
}

/// <summary>Owns one native at::Generator handle.</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    internal static readonly GeneratorHandle Null = new();

    internal GeneratorHandle() : base(IntPtr.Zero, ownsHandle: false) { }

    internal GeneratorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Native.sg_generator_free(handle);
        return true;
    }
}
