using StemGen.Torch;

namespace StemGen.Model.Codec;

/// <summary>
/// Weight normalisation as stored in EnCodec checkpoints: weight = g * v / ||v||, the norm taken
/// over every dimension where g has size 1 (all but dim 0 for torch's default dim = 0).
/// </summary>
public static class WeightNorm
{
    /// <summary>
    /// The folded weight, computed as torch._weight_norm does: v * (g / ||v||) (float32, on v's
    /// device). The norm runs over the dims where g has size 1 and v does not, so a (g, v) pair from
    /// <see cref="Split"/> folds back to exactly the same bits (g / ||v|| is exactly 1).
    /// </summary>
    public static Tensor Fold(Tensor g, Tensor v)
    {
        if (g.Dim != v.Dim) throw new ArgumentException($"weight_g [{string.Join(", ", g.Shape)}] and weight_v [{string.Join(", ", v.Shape)}] differ in rank");
        var dims = Enumerable.Range(0, (int)g.Dim).Where(d => g.Size(d) == 1 && v.Size(d) != 1).Select(d => (long)d).ToArray();
        using var scope = TorchRuntime.NewDisposeScope();
        var v32 = v.To(ScalarType.Float32);
        var g32 = g.To(v.Device, ScalarType.Float32);
        var norm = dims.Length == 0 ? v32.Abs() : v32.Norm(2, dims, keepDim: true);
        return (v32 * (g32 / norm)).MoveToOuterScope();
    }

    /// <summary>The (g, v) pair for a weight with torch's default dim = 0: g = ||w|| over dims 1.. (shape [C0, 1, ...]), v = w.</summary>
    public static (Tensor G, Tensor V) Split(Tensor weight)
    {
        var dims = Enumerable.Range(1, (int)weight.Dim - 1).Where(d => weight.Size(d) != 1).Select(d => (long)d).ToArray();
        var g = weight.Norm(2, dims, keepDim: true);
        return (g, weight.Alias());
    }
}
