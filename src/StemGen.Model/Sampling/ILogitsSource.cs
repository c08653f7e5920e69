using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Sampling;

/// <summary>
/// What the decoder needs of a model: the logits of one RVQ level given the context tokens
/// (B, Q, T), the partly masked target tokens (B, Q, T) with MASK = <see cref="CodebookSize"/>,
/// the category (B) and the condition-dropout flags (B) bool. Returns (B, T, K).
/// </summary>
public interface ILogitsSource
{
    int Levels { get; }

    int CodebookSize { get; }

    /// <summary>Where the inputs must live; the decoder samples on the CPU.</summary>
    Device Device => Device.CPU;

    Tensor LevelLogits(int level, Tensor context, Tensor target, Tensor category, Tensor dropContext, Tensor dropCategory);

    /// <summary>
    /// Logits (N, K) of one level at <paramref name="positions"/> (N) long, flat indices b * T + t
    /// of the (B, T) frames, in that order. By default all logits, then those rows; a model
    /// overrides it to run its head on those positions alone.
    /// </summary>
    Tensor LevelLogitsAt(int level, Tensor positions, Tensor context, Tensor target, Tensor category, Tensor dropContext, Tensor dropCategory)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var logits = LevelLogits(level, context, target, category, dropContext, dropCategory); // (B, T, K)
        return logits.Reshape(logits.Size(0) * logits.Size(1), logits.Size(2)).IndexSelect(0, positions).MoveToOuterScope();
    }
}

/// <summary>
/// The <see cref="StemGenModel"/> as a logits source (no gradients, evaluation mode left to the
/// caller). On CUDA the forward pass runs under bfloat16 autocast, as in training, unless
/// <see cref="MixedPrecision"/> is off; on the CPU it is always float32.
/// </summary>
public sealed class StemGenLogitsSource(StemGenModel model) : ILogitsSource
{
    public StemGenModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    public bool MixedPrecision { get; init; } = true;

    public int Levels => Model.Config.Levels;

    public int CodebookSize => Model.Config.CodebookSize;

    public Device Device => Model.Parameters().FirstOrDefault()?.Device ?? Device.CPU;

    public Tensor LevelLogits(int level, Tensor context, Tensor target, Tensor category, Tensor dropContext, Tensor dropCategory)
    {
        using var noGrad = TorchRuntime.NoGrad();
        using var autocast = Autocast();
        return Model.ForwardLevel(level, context, target, category, dropContext, dropCategory);
    }

    private AutocastScope? Autocast() =>
        MixedPrecision && Device.Type == DeviceType.CUDA ? TorchRuntime.Autocast(DeviceType.CUDA, ScalarType.BFloat16) : null;

    public Tensor LevelLogitsAt(int level, Tensor positions, Tensor context, Tensor target, Tensor category, Tensor dropContext, Tensor dropCategory)
    {
        using var noGrad = TorchRuntime.NoGrad();
        using var autocast = Autocast();
        return Model.ForwardLevelAt(level, positions, context, target, category, dropContext, dropCategory);
    }
}
