using StemGen.Torch;

namespace StemGen.Model.Training;

/// <summary>
/// Token sequences of (context mix, target stem) pairs: context and target (B, Q, T) codes in
/// [0, K), category (B) in [0, categories). Owns its tensors.
/// </summary>
public sealed record TokenBatch(Tensor Context, Tensor Target, Tensor Category) : IDisposable
{
    public long BatchSize => Target.Size(0);
    public long Length => Target.Size(2);

    public void Dispose()
    {
        Context.Dispose();
        Target.Dispose();
        Category.Dispose();
    }
}

/// <summary>
/// Where training pairs come from (a token cache of encoded stems, or a synthetic task).
/// Batches must be reproducible: the same arguments give the same batch, which is what makes a
/// resumed run continue exactly as an uninterrupted one would.
/// </summary>
public interface ITrainingBatchSource
{
    /// <summary>Which codec (and settings) produced the tokens; stored in checkpoints and checked on resume.</summary>
    string CodecIdentity { get; }

    /// <summary>
    /// A training batch drawn entirely from <paramref name="seed"/> (the trainer derives one per
    /// step): song, stem subset, crop and category choices must all come from it. Returns new
    /// tensors (CPU or the training device), which the trainer disposes.
    /// </summary>
    TokenBatch TrainingBatch(int batchSize, ulong seed);

    /// <summary>The held-out set (songs not used for training), in a fixed order and fixed crops; new tensors, disposed by the trainer.</summary>
    IEnumerable<TokenBatch> ValidationBatches(int batchSize);
}
