using StemGen.Model.Sampling;
using StemGen.Torch;

namespace StemGen.Model.Tests;

/// <summary>
/// A deterministic stand-in model for the decoder tests: logits given by a fixed function of
/// (level, conditioning, position, token); it records every call (level, batch, drop flags).
/// </summary>
internal sealed class SamplingStandIn(int levels, int codebookSize, Func<int, Conditioning, int, int, float>? logits = null) : ILogitsSource
{
    private readonly Func<int, Conditioning, int, int, float> logits = logits ?? ((_, _, _, _) => 0f);

    public int Levels { get; } = levels;

    public int CodebookSize { get; } = codebookSize;

    public List<(int Level, long Batch, Conditioning[] Conditionings)> Calls { get; } = [];

    /// <summary>The target tokens (B, Q, T) flattened, as each call saw them.</summary>
    public List<long[]> Targets { get; } = [];

    public Tensor LevelLogits(int level, Tensor context, Tensor target, Tensor category, Tensor dropContext, Tensor dropCategory)
    {
        int b = (int)context.Size(0), t = (int)context.Size(2);
        Assert.Equal(context.Shape, target.Shape);
        var maxToken = target.Max().ToInt64();
        Assert.True(maxToken <= CodebookSize, "target holds codes or MASK only");
        var dc = dropContext.ToArray<bool>();
        var dk = dropCategory.ToArray<bool>();
        var conditionings = Enumerable.Range(0, b).Select(i => (dc[i], dk[i]) switch
        {
            (false, false) => Conditioning.Full,
            (false, true) => Conditioning.ContextOnly,
            (true, false) => Conditioning.CategoryOnly,
            _ => Conditioning.Unconditional,
        }).ToArray();
        Calls.Add((level, b, conditionings));
        Targets.Add(target.Contiguous().ToArray<long>());
        var data = new float[b * t * CodebookSize];
        for (var i = 0; i < b; i++)
            for (var n = 0; n < t; n++)
                for (var k = 0; k < CodebookSize; k++)
                    data[(i * t + n) * CodebookSize + k] = logits(level, conditionings[i], n, k);
        return Tensor.FromArray(data, b, t, CodebookSize);
    }
}

/// <summary>Synchronous progress sink (Progress&lt;T&gt; posts asynchronously).</summary>
internal sealed class ListProgress<T> : IProgress<T>
{
    public List<T> Reports { get; } = [];

    public void Report(T value) => Reports.Add(value);
}
