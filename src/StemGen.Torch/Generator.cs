using StemGen.Torch.Interop;

namespace StemGen.Torch;

/// <summary>
/// A random-number generator of its own, so one job's sampling is reproducible from its seed
/// whatever else runs in the process.
/// </summary>
public sealed class Generator : IDisposable
{
    internal readonly GeneratorHandle Handle;

    public Generator(ulong seed, Device? device = null)
    {
        var d = device ?? Device.CPU;
        var h = Native.sg_generator_new(seed, (int)d.Type, Math.Max(d.Index, 0));
        if (h == IntPtr.Zero) throw TorchException.FromNative();
        Handle = new GeneratorHandle(h);
        Device = d;
    }

    public Device Device { get; }

    public void SetSeed(ulong seed) => Tensor.Check(Native.sg_generator_set_seed(Handle, seed));

    public void Dispose() => Handle.Dispose();

    internal static GeneratorHandle Of(Generator? g) => g?.Handle ?? GeneratorHandle.Null;
}
