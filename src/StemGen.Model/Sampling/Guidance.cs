using StemGen.Torch;

namespace StemGen.Model.Sampling;

/// <summary>Which conditions one pass of the model sees.</summary>
public enum Conditioning
{
    /// <summary>Context mix and category: logp(t | c_a, c_i).</summary>
    Full,

    /// <summary>Context mix only (category dropped): logp(t | c_a).</summary>
    ContextOnly,

    /// <summary>Category only (context dropped): logp(t | c_i).</summary>
    CategoryOnly,

    /// <summary>Both dropped: logp(t).</summary>
    Unconditional,
}

/// <summary>One term of the guided log-probability: weight * logp(t | conditioning).</summary>
public readonly record struct GuidanceTerm(Conditioning Conditioning, double Weight);

/// <summary>
/// Classifier-free guidance (paper section 2.1.2). The terms of eq. 2 or eq. 3 are run as ONE
/// batched forward pass (the batch repeated once per term, each copy with its drop flags), the
/// logits turned into log-probabilities (log_softmax) and combined with the terms' weights.
/// </summary>
public static class Guidance
{
    /// <summary>
    /// The terms of the guided log-probability. Mapping of the scales (a scale of exactly 1
    /// switches that source's guidance off and skips its pass):
    /// <list type="bullet">
    /// <item>MultiSource, lambda_a != 1 and lambda_i != 1 (eq. 3):
    ///   lambda_a logp(t|c_a) + lambda_i logp(t|c_i) + (1 - lambda_a - lambda_i) logp(t): three passes.</item>
    /// <item>lambda_a = lambda_i = 1: logp(t|c_a,c_i), plain conditional sampling: one pass
    ///   (not eq. 3 read literally, which would give logp(t|c_a) + logp(t|c_i) - logp(t)).</item>
    /// <item>only lambda_i = 1: eq. 2 on the context with the category always present:
    ///   lambda_a logp(t|c_a,c_i) + (1 - lambda_a) logp(t|c_i): two passes.</item>
    /// <item>only lambda_a = 1: symmetrically lambda_i logp(t|c_a,c_i) + (1 - lambda_i) logp(t|c_a): two passes.</item>
    /// <item>SingleSource (eq. 2), lambda = ContextScale on the combined condition:
    ///   lambda logp(t|c_a,c_i) + (1 - lambda) logp(t): two passes, one when lambda = 1.</item>
    /// </list>
    /// </summary>
    /// Terms of weight exactly 0 (e.g. the unconditional term when lambda_a + lambda_i = 1) are
    /// left out, with their passes.
    public static IReadOnlyList<GuidanceTerm> Terms(GuidanceOptions guidance) =>
        AllTerms(guidance).Where(t => t.Weight != 0.0).ToList();

    private static GuidanceTerm[] AllTerms(GuidanceOptions guidance)
    {
        ArgumentNullException.ThrowIfNull(guidance);
        double la = guidance.ContextScale, li = guidance.CategoryScale;
        if (guidance.Mode == GuidanceMode.SingleSource)
            return la == 1.0
                ? [new(Conditioning.Full, 1.0)]
                : [new(Conditioning.Full, la), new(Conditioning.Unconditional, 1.0 - la)];
        return (la == 1.0, li == 1.0) switch
        {
            (true, true) => [new(Conditioning.Full, 1.0)],
            (false, true) => [new(Conditioning.Full, la), new(Conditioning.CategoryOnly, 1.0 - la)],
            (true, false) => [new(Conditioning.Full, li), new(Conditioning.ContextOnly, 1.0 - li)],
            _ => [new(Conditioning.ContextOnly, la), new(Conditioning.CategoryOnly, li), new(Conditioning.Unconditional, 1.0 - la - li)],
        };
    }

    /// <summary>
    /// Guided log-probabilities (B, T, K) of <paramref name="level"/>: one batched call of
    /// <paramref name="source"/> with batch B x (number of terms). Inputs as for
    /// <see cref="ILogitsSource.LevelLogits"/>, on the source's device. With
    /// <paramref name="positions"/> (N) long, flat indices b * T + t, only those rows: (N, K), those
    /// rows of the whole to float rounding (<see cref="ILogitsSource.LevelLogitsAt"/>).
    /// </summary>
    public static Tensor LogProbabilities(ILogitsSource source, int level, Tensor context, Tensor target, Tensor category, GuidanceOptions guidance,
        Tensor? positions = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var terms = Terms(guidance);
        using var scope = TorchRuntime.NewDisposeScope();
        var b = context.Size(0);
        var n = terms.Count;
        var dropContext = new bool[n * b];
        var dropCategory = new bool[n * b];
        for (var i = 0; i < n; i++)
        {
            var (dc, dk) = terms[i].Conditioning switch
            {
                Conditioning.Full => (false, false),
                Conditioning.ContextOnly => (false, true),
                Conditioning.CategoryOnly => (true, false),
                _ => (true, true),
            };
            for (var j = 0; j < b; j++) { dropContext[i * b + j] = dc; dropCategory[i * b + j] = dk; }
        }
        var device = context.Device;
        var ctx = n == 1 ? context : context.Repeat(n, 1, 1);
        var tgt = n == 1 ? target : target.Repeat(n, 1, 1);
        var cat = n == 1 ? category : category.Repeat(n);
        var (dropA, dropI) = (Tensor.FromArray(dropContext, n * b).To(device), Tensor.FromArray(dropCategory, n * b).To(device));
        Tensor logits;
        long rows;
        if (positions is null)
        {
            rows = b;
            logits = source.LevelLogits(level, ctx, tgt, cat, dropA, dropI);                    // (nB, T, K)
            if (logits.Dim != 3 || logits.Size(0) != n * b || logits.Size(1) != context.Size(2))
                throw new InvalidOperationException($"logits source returned [{string.Join(", ", logits.Shape)}], expected ({n * b}, {context.Size(2)}, K)");
        }
        else
        {
            // Term i's copy of the batch starts at frame i * B * T.
            rows = positions.Size(0);
            var frames = b * context.Size(2);
            var starts = Tensors.Arange(0, n * frames, frames, ScalarType.Int64, device);         // (n)
            var all = (starts.Unsqueeze(1) + positions.Unsqueeze(0)).Reshape(n * rows);         // (nN)
            logits = source.LevelLogitsAt(level, all, ctx, tgt, cat, dropA, dropI);             // (nN, K)
            if (logits.Dim != 2 || logits.Size(0) != n * rows)
                throw new InvalidOperationException($"logits source returned [{string.Join(", ", logits.Shape)}], expected ({n * rows}, K)");
        }
        var logp = logits.To(ScalarType.Float32).LogSoftmax(-1);                // (nB, T, K) or (nN, K)
        Tensor? combined = null;
        for (var i = 0; i < n; i++)
        {
            var term = logp.Narrow(0, i * rows, rows) * terms[i].Weight;         // (B, T, K) or (N, K)
            combined = combined is null ? term : combined + term;
        }
        return combined!.MoveToOuterScope();
    }
}
