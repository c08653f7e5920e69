namespace StemGen.Torch;

/// <summary>
/// Frees every tensor created on this thread while the scope is open, when it ends, unless the
/// tensor was moved out (<see cref="Tensor.MoveToOuterScope"/>) or detached from scopes
/// (<see cref="Tensor.DetachFromDisposeScope"/>). Scopes nest; use one per loop iteration so
/// native (and GPU) memory is released deterministically, not when the GC gets round to it.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly HashSet<Tensor> owned = new(ReferenceEqualityComparer.Instance);
    private readonly DisposeScope? outer;
    private bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    internal static DisposeScope? Current => current;

    /// <summary>Number of tensors this scope will free.</summary>
    public int Count => owned.Count;

    internal void Add(Tensor tensor) => owned.Add(tensor);

    internal bool Remove(Tensor tensor) => owned.Remove(tensor);

    internal DisposeScope? Outer => outer;

    public void Dispose()
    {
        if (disposed) return;
        // Check before marking disposed, so a scope ended out of order can still end properly later.
        if (current != this)
            throw new InvalidOperationException("dispose scopes must end in the reverse order they began (and on the thread that began them)");
        disposed = true;
        current = outer;
        foreach (var tensor in owned) tensor.DisposeWithoutScope();
        owned.Clear();
    }
}
