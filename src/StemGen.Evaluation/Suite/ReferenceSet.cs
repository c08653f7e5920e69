using StemGen.Audio;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Mir;

namespace StemGen.Evaluation.Suite;

/// <summary>
/// Everything about the real side of the examples that every sampling setting is compared with,
/// computed once: embeddings of the real stems (FAD), analyses of real stem + context mix (MIRDD),
/// and analyses of the context, the real stem and the mismatched stem (coherence).
/// </summary>
public sealed class ReferenceSet
{
    private ReferenceSet() { }

    public required IReadOnlyList<EvaluationExample> Examples { get; init; }
    public required IAudioEmbedding Embedding { get; init; }
    public required IReadOnlyList<IReadOnlyList<float[]>> RealEmbeddings { get; init; }
    public required IReadOnlyList<MirAnalysis> RealWithContext { get; init; }
    public required IReadOnlyList<MirAnalysis> Contexts { get; init; }
    public required IReadOnlyList<MirAnalysis> RealStems { get; init; }
    public required IReadOnlyList<MirAnalysis?> MismatchedStems { get; init; }

    public static ReferenceSet Compute(IReadOnlyList<EvaluationExample> examples, IAudioEmbedding embedding, int parallelism,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var n = examples.Count;
        var embeddings = new IReadOnlyList<float[]>[n];
        var mixes = new MirAnalysis[n];
        var contexts = new MirAnalysis[n];
        var reals = new MirAnalysis[n];
        var mismatched = new MirAnalysis?[n];
        var done = 0;
        // The embedding may hold libtorch state: embed sequentially, analyse in parallel.
        for (var i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            embeddings[i] = embedding.Embed(examples[i].RealStem);
        }
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, i =>
        {
            var e = examples[i];
            mixes[i] = MirAnalysis.Of(Sum(e.RealStem, e.Context));
            contexts[i] = MirAnalysis.Of(e.Context);
            reals[i] = MirAnalysis.Of(e.RealStem);
            mismatched[i] = e.Mismatched is null ? null : MirAnalysis.Of(e.Mismatched);
            var d = Interlocked.Increment(ref done);
            if (d % 10 == 0 || d == n) progress?.Report($"reference: analysed {d}/{n} examples");
        });
        return new ReferenceSet
        {
            Examples = examples, Embedding = embedding, RealEmbeddings = embeddings, RealWithContext = mixes,
            Contexts = contexts, RealStems = reals, MismatchedStems = mismatched,
        };
    }

    /// <summary>Share of energy below 250 Hz of each real stem (<see cref="SpectralBalance.LowFrequencyShare"/>; computed on first use).</summary>
    public IReadOnlyList<double> RealLowShares => realLowShares ??= Examples.Select(e => SpectralBalance.LowFrequencyShare(e.RealStem)).ToArray();

    private double[]? realLowShares;

    /// <summary>
    /// For each example, another example whose context is "another song's context" for its stem: the next one
    /// (in index order, wrapping) from a different track, preferring first a track other than the mismatched stem's (so
    /// the baseline, which scores the mismatched stem, is not put back in its own song's context), then the same target
    /// category; null when every example comes from one track.
    /// </summary>
    public IReadOnlyList<int?> OtherContexts => otherContexts ??= OtherContextsOf(Examples);

    private int?[]? otherContexts;

    internal static int?[] OtherContextsOf(IReadOnlyList<EvaluationExample> examples)
    {
        var n = examples.Count;
        var result = new int?[n];
        for (var i = 0; i < n; i++)
        {
            var best = -1;
            for (var step = 1; step < n; step++)
            {
                var j = (i + step) % n;
                if (examples[j].Plan.Track == examples[i].Plan.Track) continue;
                var score = (examples[j].Plan.Track != examples[i].MismatchTrack ? 2 : 0) + (examples[j].Category == examples[i].Category ? 1 : 0);
                if (score > best) (best, result[i]) = (score, j);
                if (score == 3) break;
            }
        }
        return result;
    }

    /// <summary>
    /// The KAD bandwidth every setting is scored at, so their KADs are comparable: the median pairwise
    /// distance of the real embeddings alone (computed on first use). Null when that median is 0 or there
    /// are fewer than 2 real embeddings: each setting then falls back to its own pooled median.
    /// </summary>
    public (double? Bandwidth, string? Rule) KadBandwidth => kadBandwidth ??= MedianOfReal();

    private (double?, string?)? kadBandwidth;

    private (double?, string?) MedianOfReal()
    {
        var real = RealEmbeddings.SelectMany(e => e).ToList();
        if (real.Count < 2) return (null, null);
        var rule = real.Count > KernelAudioDistance.MedianSubsample
            ? $"median pairwise distance of {KernelAudioDistance.MedianSubsample} of the {real.Count} reference embeddings, fixed for every setting"
            : $"median pairwise distance of the {real.Count} reference embeddings, fixed for every setting";
        try { return (KernelAudioDistance.MedianBandwidth(real), rule); }
        catch (ArgumentException) { return (null, null); }
    }

    /// <summary>A stem summed with its context mix (the stem brought to the context's rate and length; mono).</summary>
    public static AudioBuffer Sum(AudioBuffer stem, AudioBuffer context)
    {
        var s = Dsp.AnalysisAudio.MonoAt(stem, context.SampleRate);
        var c = Dsp.AnalysisAudio.MonoAt(context, context.SampleRate);
        var mix = new float[c.Length];
        for (var i = 0; i < mix.Length; i++) mix[i] = c[i] + (i < s.Length ? s[i] : 0);
        return new AudioBuffer(mix, 1, context.SampleRate);
    }
}
