using StemGen.Torch.Interop;

namespace StemGen.Torch.Optim;

public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so their global norm is at most <paramref name="maxNorm"/>;
    /// returns the norm before clipping (NaN or infinity tells that the step diverged).
    /// </summary>
    public static unsafe double ClipByGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "max norm must be positive");
        var list = parameters.ToList();
        using var borrowed = new BorrowedHandles(list);
        fixed (IntPtr* p = borrowed.Pointers)
        {
            Tensor.Check(Native.sg_clip_grad_norm(p, list.Count, maxNorm, normType, out var total));
            return total;
        }
    }
}
