using StemGen.Torch;

namespace StemGen.Model.Training;

/// <summary>
/// A synthetic task for demos and tests with no audio: context tokens are uniform random, and the
/// target stem is the context shifted in time, target[q, t] = context[q, (t + shift) mod T]. Without
/// the context the target tokens are independent and uniform, so a model can only beat chance
/// (1 / K) by listening to the context.
/// </summary>
public sealed class SyntheticTokenSource(int levels, int codebookSize, int categories, int length, int shift = 0, int validationBatches = 4)
    : ITrainingBatchSource
{
    public string CodecIdentity => $"synthetic-shift{shift}-q{levels}-k{codebookSize}";

    /// <summary>Accuracy of guessing: 1 / K.</summary>
    public double Chance => 1.0 / codebookSize;

    public TokenBatch TrainingBatch(int batchSize, ulong seed) => Make(batchSize, seed);

    public IEnumerable<TokenBatch> ValidationBatches(int batchSize)
    {
        // Held out: seeds from the top of the range, which the trainer's derived seeds do not target.
        for (var i = 0; i < validationBatches; i++) yield return Make(batchSize, ulong.MaxValue - (ulong)i);
    }

    private TokenBatch Make(int batchSize, ulong seed)
    {
        using var generator = new Generator(seed);
        var context = Tensors.RandInt(0, codebookSize, [batchSize, levels, length], generator); // (B, Q, T)
        var target = context.Roll(-shift, 2);                                                   // (B, Q, T)
        var category = Tensors.RandInt(0, categories, [batchSize], generator);                  // (B)
        return new TokenBatch(context, target, category);
    }
}
