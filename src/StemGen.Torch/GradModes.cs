using StemGen.Torch.Interop;

namespace StemGen.Torch;

/// <summary>Turns gradient recording off (or on) for this thread until disposed.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool previous;

    internal GradModeScope(bool enabled)
    {
        previous = Native.sg_is_grad_enabled() != 0;
        Native.sg_set_grad_enabled(enabled ? 1 : 0);
    }

    public void Dispose() => Native.sg_set_grad_enabled(previous ? 1 : 0);
}

/// <summary>
/// Runs eligible ops (matmul, linear, conv, attention) in a lower precision on one device type
/// until disposed; bfloat16 on CUDA is the training default.
/// </summary>
public readonly struct AutocastScope : IDisposable
{
    private readonly DeviceType device;
    private readonly ScalarType dtype;
    private readonly bool previous;

    internal AutocastScope(DeviceType device, ScalarType dtype, bool enabled)
    {
        this.device = device;
        this.dtype = dtype;
        var rc = Native.sg_set_autocast((int)device, enabled ? 1 : 0, (int)dtype);
        if (rc < 0) throw TorchException.FromNative();
        previous = rc == 1;
    }

    public void Dispose() => _ = Native.sg_set_autocast((int)device, previous ? 1 : 0, (int)dtype); // restoring a mode that was set: cannot fail
}
