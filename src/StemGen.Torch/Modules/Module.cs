namespace StemGen.Torch.Modules;

/// <summary>
/// A trainable building block: parameters, buffers and submodules registered by name, so the
/// whole tree has hierarchical names ("layers.3.attn.wq.weight") for state dicts and
/// checkpoints. Subclasses keep their parts in fields and register them in the constructor.
/// A module owns its tensors: disposing it frees them.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> parameters = [];
    private readonly List<(string Name, Tensor Tensor, bool Persistent)> buffers = [];
    private readonly List<(string Name, Module Module)> children = [];
    private readonly HashSet<string> names = [];

    public bool Training { get; private set; } = true;

    protected Tensor RegisterParameter(string name, Tensor value)
    {
        Claim(name);
        value.DetachFromDisposeScope();
        value.RequiresGrad = true;
        parameters.Add((name, value));
        return value;
    }

    /// <summary>A tensor that belongs to the module but is not trained (statistics, tables).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value, bool persistent = true)
    {
        Claim(name);
        value.DetachFromDisposeScope();
        buffers.Add((name, value, persistent));
        return value;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        Claim(name);
        children.Add((name, module));
        return module;
    }

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name (non-empty, no dots)", nameof(name));
        if (!names.Add(name)) throw new ArgumentException($"{GetType().Name} already has a member named '{name}'", nameof(name));
    }

    public IEnumerable<(string Name, Module Module)> NamedChildren() => children;

    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters(string prefix = "")
    {
        foreach (var (name, tensor) in parameters) yield return (prefix + name, tensor);
        foreach (var (name, child) in children)
            foreach (var item in child.NamedParameters($"{prefix}{name}.")) yield return item;
    }

    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers(string prefix = "", bool persistentOnly = false)
    {
        foreach (var (name, tensor, persistent) in buffers)
            if (persistent || !persistentOnly) yield return (prefix + name, tensor);
        foreach (var (name, child) in children)
            foreach (var item in child.NamedBuffers($"{prefix}{name}.", persistentOnly)) yield return item;
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    public long ParameterCount => Parameters().Sum(p => p.NumEl);

    /// <summary>Parameters and persistent buffers by full name. These are the module's own tensors: do not dispose them.</summary>
    public Dictionary<string, Tensor> StateDict() =>
        NamedParameters().Concat(NamedBuffers(persistentOnly: true)).ToDictionary(p => p.Name, p => p.Tensor);

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's tensors (converted to their
    /// device and dtype). Strict: every name must match both ways. Shapes must always match. All
    /// problems are reported together, and nothing is copied unless all checks pass.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var misShaped = own.Where(p => state.TryGetValue(p.Key, out var given) && !given.Shape.SequenceEqual(p.Value.Shape))
            .Select(p => $"{p.Key}: expected [{string.Join(", ", p.Value.Shape)}], got [{string.Join(", ", state[p.Key].Shape)}]")
            .ToList();
        if (misShaped.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new StateDictMismatchException(GetType().Name, missing, unexpected, misShaped);
        using var noGrad = TorchRuntime.NoGrad();
        foreach (var (name, tensor) in own)
            if (state.TryGetValue(name, out var source)) tensor.CopyFrom(source);
    }

    public Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in children) child.Train(training);
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>
    /// Moves every parameter and buffer to <paramref name="device"/>; floating-point ones are also
    /// converted to <paramref name="dtype"/> when given. Tensors keep their identity.
    /// </summary>
    public Module To(Device device, ScalarType? dtype = null)
    {
        using var noGrad = TorchRuntime.NoGrad();
        foreach (var tensor in NamedParameters().Concat(NamedBuffers()).Select(p => p.Tensor))
        {
            var target = dtype is { } t && tensor.DType.IsFloatingPoint() ? t : tensor.DType;
            if (tensor.Device == device && tensor.DType == target) continue;
            using var moved = tensor.To(device, target);
            tensor.SetData(moved);
        }
        return this;
    }

    /// <summary>Forgets accumulated gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    public void Dispose()
    {
        foreach (var (_, tensor) in parameters) tensor.Dispose();
        foreach (var (_, tensor, _) in buffers) tensor.Dispose();
        foreach (var (_, child) in children) child.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A state dict that does not fit the module, with every difference listed.</summary>
public sealed class StateDictMismatchException(string module, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> misShaped)
    : Exception(Describe(module, missing, unexpected, misShaped))
{
    public IReadOnlyList<string> Missing { get; } = missing;
    public IReadOnlyList<string> Unexpected { get; } = unexpected;
    public IReadOnlyList<string> MisShaped { get; } = misShaped;

    private static string Describe(string module, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> misShaped)
    {
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"missing: {string.Join(", ", missing)}");
        if (unexpected.Count > 0) parts.Add($"unexpected: {string.Join(", ", unexpected)}");
        if (misShaped.Count > 0) parts.Add($"wrong shape: {string.Join("; ", misShaped)}");
        return $"state dict does not fit {module} ({string.Join(" | ", parts)})";
    }
}
