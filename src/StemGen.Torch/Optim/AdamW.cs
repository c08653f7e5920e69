using StemGen.Torch.Interop;
using StemGen.Torch.Modules;

namespace StemGen.Torch.Optim;

/// <summary>Parameters that share a weight decay.</summary>
public sealed record ParameterGroup(IReadOnlyList<Tensor> Parameters, double WeightDecay);

/// <summary>
/// AdamW (Loshchilov and Hutter): Adam moments with bias correction and weight decay applied to
/// the weights directly, not through the gradient. The learning rate is set by the caller each
/// step (schedules are plain functions: <see cref="LearningRateSchedules"/>).
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly List<ParameterGroup> groups;
    private readonly List<Tensor> expAvg = [];
    private readonly List<Tensor> expAvgSq = [];
    private readonly Tensor stepTensor = Tensor.Scalar(0L).DetachFromDisposeScope();

    public AdamW(IEnumerable<ParameterGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        if (learningRate < 0 || !double.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be finite and non-negative");
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        if (eps <= 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive");
        this.groups = groups.ToList();
        (LearningRate, Beta1, Beta2, Eps) = (learningRate, beta1, beta2, eps);
        foreach (var p in AllParameters())
        {
            using var noGrad = TorchRuntime.NoGrad();
            expAvg.Add(Tensors.Zeros(p.Shape, p.DType, p.Device).DetachFromDisposeScope());
            expAvgSq.Add(Tensors.Zeros(p.Shape, p.DType, p.Device).DetachFromDisposeScope());
        }
    }

    /// <summary>
    /// The usual split for transformers: weight decay on matrices and embeddings (2+ dims), none
    /// on biases and norm gains.
    /// </summary>
    public static AdamW ForModule(Module module, double learningRate, double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        var parameters = module.Parameters().ToList();
        return new AdamW(
        [
            new ParameterGroup(parameters.Where(p => p.Dim >= 2).ToList(), weightDecay),
            new ParameterGroup(parameters.Where(p => p.Dim < 2).ToList(), 0),
        ], learningRate, beta1, beta2, eps);
    }

    public double LearningRate { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }

    /// <summary>Updates taken so far.</summary>
    public long StepCount { get; private set; }

    public IReadOnlyList<ParameterGroup> Groups => groups;

    private IEnumerable<Tensor> AllParameters() => groups.SelectMany(g => g.Parameters);

    /// <summary>Applies one update with the current gradients (parameters without a gradient are left alone).</summary>
    public unsafe void Step()
    {
        StepCount++;
        var offset = 0;
        foreach (var group in groups)
        {
            var n = group.Parameters.Count;
            using var p = new BorrowedHandles(group.Parameters);
            using var m = new BorrowedHandles(expAvg.GetRange(offset, n));
            using var v = new BorrowedHandles(expAvgSq.GetRange(offset, n));
            fixed (IntPtr* pp = p.Pointers)
            fixed (IntPtr* mp = m.Pointers)
            fixed (IntPtr* vp = v.Pointers)
                Tensor.Check(Native.sg_adamw_step(pp, mp, vp, n, LearningRate, Beta1, Beta2, Eps, group.WeightDecay, StepCount));
            offset += n;
        }
    }

    public void ZeroGrad()
    {
        foreach (var p in AllParameters()) p.Grad = null;
    }

    /// <summary>Moments and step count, by name ("step", "exp_avg.{i}", "exp_avg_sq.{i}"). The optimiser's own tensors: do not dispose.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        stepTensor.FillInPlace(StepCount);
        var state = new Dictionary<string, Tensor> { ["step"] = stepTensor };
        for (var i = 0; i < expAvg.Count; i++)
        {
            state[$"exp_avg.{i}"] = expAvg[i];
            state[$"exp_avg_sq.{i}"] = expAvgSq[i];
        }
        return state;
    }

    /// <summary>Restores moments and step count saved by <see cref="StateDict"/> for the same parameters.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        if (!state.TryGetValue("step", out var step)) throw new ArgumentException("optimiser state has no 'step'", nameof(state));
        var problems = new List<string>();
        for (var i = 0; i < expAvg.Count; i++)
            foreach (var (name, own) in new[] { ($"exp_avg.{i}", expAvg[i]), ($"exp_avg_sq.{i}", expAvgSq[i]) })
            {
                if (!state.TryGetValue(name, out var given)) problems.Add($"missing {name}");
                else if (!given.Shape.SequenceEqual(own.Shape)) problems.Add($"{name}: expected [{string.Join(", ", own.Shape)}], got [{string.Join(", ", given.Shape)}]");
            }
        var extra = state.Keys.Count(k => k.StartsWith("exp_avg", StringComparison.Ordinal)) - 2 * expAvg.Count;
        if (extra > 0) problems.Add($"{extra} moment tensors for parameters this optimiser does not have");
        if (problems.Count > 0) throw new ArgumentException($"optimiser state does not fit: {string.Join("; ", problems)}", nameof(state));
        for (var i = 0; i < expAvg.Count; i++)
        {
            expAvg[i].CopyFrom(state[$"exp_avg.{i}"]);
            expAvgSq[i].CopyFrom(state[$"exp_avg_sq.{i}"]);
        }
        StepCount = step.ToInt64();
    }

    public void Dispose()
    {
        foreach (var t in expAvg.Concat(expAvgSq)) t.Dispose();
        stepTensor.Dispose();
    }
}
