using StemGen.Data;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Training;

/// <summary>Settings of <see cref="TokenCacheBatchSource"/>.</summary>
public sealed record TokenCacheSourceOptions
{
    /// <summary>Crops, submixes and the activity rule (shared by both splits).</summary>
    public TokenPairOptions Pairs { get; init; } = new();

    public string TrainSplit { get; init; } = "train";
    public string ValidationSplit { get; init; } = "validation";

    /// <summary>Size of the fixed validation set (pairs spread round-robin over the validation segments).</summary>
    public int ValidationPairs { get; init; } = 64;

    /// <summary>Seed of the fixed validation pairs (not the run seed: runs with other seeds validate on the same pairs).</summary>
    public long ValidationSeed { get; init; } = 1;

    /// <summary>Segments encoded and loaded at once.</summary>
    public int Jobs { get; init; } = 1;
}

/// <summary>Progress of <see cref="TokenCacheBatchSource.Open"/>: which split, and the cache's progress in it.</summary>
public sealed record TokenSourceProgress(string Split, TokenCacheProgress Cache);

/// <summary>
/// Training batches from the token cache (paper section 2 pairs): context = the tokens of a
/// precomputed submix of some stems of a segment, target = another stem of it, category = the
/// target's instrument category. Training pairs of a step come from the train split and are drawn
/// entirely from the step's seed (pair b from a stream derived from (seed, b)); validation is a
/// fixed set of pairs of the validation split. All tokens are in memory, so a batch costs copies only.
/// </summary>
public sealed class TokenCacheBatchSource : ITrainingBatchSource
{
    private readonly IReadOnlyList<TokenPair> validation;

    public TokenCacheBatchSource(TokenPairSet train, TokenPairSet validationSet, string codecIdentity, int validationPairs = 64, long validationSeed = 1)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validationSet);
        ArgumentException.ThrowIfNullOrWhiteSpace(codecIdentity);
        ArgumentOutOfRangeException.ThrowIfLessThan(validationPairs, 1);
        if (train.Levels != validationSet.Levels || train.Options.CropFrames != validationSet.Options.CropFrames)
            throw new ArgumentException("train and validation pairs must have the same levels and crop length");
        Train = train;
        CodecIdentity = codecIdentity;
        validation = validationSet.FixedPairs(validationPairs, validationSeed);
        if (validation.Count == 0) throw new InvalidOperationException("no validation pair passes the activity rule: the validation split cannot be used");
    }

    /// <summary>
    /// Encodes what the cache lacks of both splits (with progress), loads them and fixes the
    /// validation pairs. The identity recorded with models is the codec's
    /// (<see cref="CodecTokenizer.CodecIdentity"/>) for a codec, the tokenizer's otherwise.
    /// </summary>
    public static TokenCacheBatchSource Open(ImportManifest manifest, TokenCache cache, IAudioTokenizer tokenizer, TokenCacheSourceOptions? options = null,
        IProgress<TokenSourceProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new TokenCacheSourceOptions();
        TokenPairSet Load(string split) => TokenPairSet.Load(manifest, split, cache, tokenizer, options.Pairs, options.Jobs,
            progress is null ? null : new InlineProgress<TokenCacheProgress>(p => progress.Report(new TokenSourceProgress(split, p))), cancellationToken);
        var train = Load(options.TrainSplit);
        var validation = Load(options.ValidationSplit);
        var identity = tokenizer is CodecTokenizer codec ? codec.CodecIdentity : tokenizer.Identity;
        return new TokenCacheBatchSource(train, validation, identity, options.ValidationPairs, options.ValidationSeed);
    }

    public string CodecIdentity { get; }

    public TokenPairSet Train { get; }

    /// <summary>The fixed validation pairs, in order.</summary>
    public IReadOnlyList<TokenPair> ValidationPairs => validation;

    public int CropFrames => Train.Options.CropFrames;

    public TokenBatch TrainingBatch(int batchSize, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var pairs = new TokenPair[batchSize];
        for (var b = 0; b < batchSize; b++) pairs[b] = Train.Draw(SeededRandom.Derive(unchecked((long)seed), b));
        return ToBatch(pairs);
    }

    public IEnumerable<TokenBatch> ValidationBatches(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        for (var i = 0; i < validation.Count; i += batchSize)
            yield return ToBatch(validation.Skip(i).Take(batchSize).ToList());
    }

    /// <summary>Context and target (B, Q, T) and category (B), int64 on the CPU.</summary>
    public static TokenBatch ToBatch(IReadOnlyList<TokenPair> pairs)
    {
        if (pairs.Count == 0) throw new ArgumentException("a batch needs at least one pair", nameof(pairs));
        var (levels, frames) = (pairs[0].Target.GetLength(0), pairs[0].Target.GetLength(1));
        var size = levels * frames;
        var context = new long[pairs.Count * size];
        var target = new long[pairs.Count * size];
        var category = new long[pairs.Count];
        for (var b = 0; b < pairs.Count; b++)
        {
            var pair = pairs[b];
            if (pair.Context.GetLength(0) != levels || pair.Context.GetLength(1) != frames || pair.Target.GetLength(0) != levels || pair.Target.GetLength(1) != frames)
                throw new ArgumentException($"pair {b} is not [{levels}, {frames}] like the first", nameof(pairs));
            Copy(pair.Context, context.AsSpan(b * size, size));
            Copy(pair.Target, target.AsSpan(b * size, size));
            category[b] = (long)pair.Plan.TargetCategory;
        }
        return new TokenBatch(Tensor.FromArray(context, pairs.Count, levels, frames), Tensor.FromArray(target, pairs.Count, levels, frames),
            Tensor.FromArray(category, pairs.Count));
    }

    private static void Copy(short[,] tokens, Span<long> into)
    {
        var i = 0;
        foreach (var code in tokens) into[i++] = code; // row-major [Q, T]
    }
}
