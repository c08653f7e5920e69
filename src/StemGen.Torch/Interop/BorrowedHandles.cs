namespace StemGen.Torch.Interop;

/// <summary>
/// Raw handles of a list of tensors for one native call, each kept alive (ref-counted) until
/// disposed, so no tensor can be freed while native code reads it.
/// </summary>
internal readonly struct BorrowedHandles : IDisposable
{
    private readonly TensorHandle[] handles;
    public readonly IntPtr[] Pointers;

    public BorrowedHandles(IReadOnlyList<Tensor> tensors)
    {
        handles = new TensorHandle[tensors.Count];
        Pointers = new IntPtr[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
        {
            var added = false;
            tensors[i].Handle.DangerousAddRef(ref added);
            handles[i] = tensors[i].Handle;
            Pointers[i] = handles[i].DangerousGetHandle();
        }
    }

    public void Dispose()
    {
        foreach (var h in handles) h?.DangerousRelease();
    }
}
