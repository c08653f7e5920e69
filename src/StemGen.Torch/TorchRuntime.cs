using StemGen.Torch.Interop;

namespace StemGen.Torch;

/// <summary>The libtorch runtime: version, threads, devices, seeds, and the thread-local scopes.</summary>
public static class TorchRuntime
{
    /// <summary>libtorch version the shim was compiled against, e.g. "1.13.0".</summary>
    public static string Version => Native.Text(Native.sg_torch_version());

    /// <summary>libtorch's description of its thread pools and parallel backends.</summary>
    public static string ParallelInfo => Native.Text(Native.sg_parallel_info());

    /// <summary>
    /// The calling thread's intra-op threads (at load: <see cref="TorchThreads"/>' policy, by default
    /// the idle cores). Setting it also sets the count that threads which never set theirs take.
    /// </summary>
    public static int Threads
    {
        get => Native.sg_get_num_threads();
        set
        {
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be positive");
            Tensor.Check(Native.sg_set_num_threads(value));
        }
    }

    public static int InteropThreads => Native.sg_get_num_interop_threads();

    /// <summary>Whether this libtorch has scaled-dot-product attention with fused kernels (2.0+).</summary>
    public static bool HasFusedAttention => Native.sg_has_fused_attention() == 1;

    /// <summary>
    /// Whether attention that records no gradient runs blocked on the CPU without a fused kernel (on
    /// by default): one task per (batch, head) and block of queries, scores kept in cache. Off runs
    /// the explicit softmax(q kᵀ / √Dh) v over whole tensors (the benchmarks' baseline).
    /// </summary>
    public static bool BlockedAttention
    {
        get => Native.sg_blocked_attention() == 1;
        set => Native.sg_set_blocked_attention(value ? 1 : 0);
    }

    public static class Cuda
    {
        public static bool IsAvailable => Native.sg_cuda_is_available() == 1;
        public static int DeviceCount => (int)Math.Max(0, Native.sg_cuda_device_count());
        public static void Synchronize(int device = -1) => Tensor.Check(Native.sg_cuda_synchronize(device));
    }

    /// <summary>Seeds the default generators of every device.</summary>
    public static void ManualSeed(ulong seed) => Tensor.Check(Native.sg_manual_seed(seed));

    /// <summary>Every tensor created on this thread until the scope ends is freed then.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>No gradient recording until disposed (inference, evaluation).</summary>
    public static GradModeScope NoGrad() => new(false);

    public static GradModeScope EnableGrad() => new(true);

    public static bool IsGradEnabled => Native.sg_is_grad_enabled() == 1;

    /// <summary>Mixed precision for the given device type until disposed (bfloat16 by default).</summary>
    public static AutocastScope Autocast(DeviceType device, ScalarType dtype = ScalarType.BFloat16, bool enabled = true) =>
        new(device, dtype, enabled);
}
