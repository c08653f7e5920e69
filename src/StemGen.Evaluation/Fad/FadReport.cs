namespace StemGen.Evaluation.Fad;

/// <summary>
/// A FAD with everything needed to read it: the embedding (never mix numbers across embeddings),
/// how many embeddings each set had and the clip length (FAD is biased by n), FAD-inf when computed,
/// and KAD on the same embeddings (unbiased at any n; its bandwidth inside).
/// </summary>
public sealed record FadReport(
    string Embedding, string EmbeddingDescription, double Fad, int ReferenceEmbeddings, int TestEmbeddings,
    int ReferenceClips, int TestClips, double ClipSeconds, double? FadInfinity = null, string? Warning = null, KadResult? Kad = null)
{
    /// <summary>
    /// FAD and KAD of two embedding populations, with a warning when either has fewer embeddings than dimensions.
    /// KAD uses <paramref name="kadBandwidth"/> when given (fix it across runs that are compared), else the pooled median heuristic.
    /// </summary>
    public static FadReport Compute(IAudioEmbedding embedding, IReadOnlyList<float[]> reference, IReadOnlyList<float[]> test,
        int referenceClips, int testClips, double clipSeconds, bool withInfinity = false, double? kadBandwidth = null, string? kadBandwidthRule = null)
    {
        var fad = FrechetDistance.Compute(GaussianStatistics.Of(reference), GaussianStatistics.Of(test));
        KadResult? kad = null;
        string? kadSkipped = null;
        try { kad = KernelAudioDistance.Compute(reference, test, kadBandwidth, kadBandwidthRule); }
        catch (ArgumentException e) when (kadBandwidth is null) { kadSkipped = "KAD skipped: " + e.Message; }
        double? infinity = null;
        string? warning = null;
        if (Math.Min(reference.Count, test.Count) <= embedding.Dimension)
            warning = $"only {Math.Min(reference.Count, test.Count)} embeddings for a {embedding.Dimension}-d embedding: covariances are singular and FAD is strongly biased (KAD is not); use well over {embedding.Dimension}";
        if (kadSkipped is not null) warning = (warning is null ? "" : warning + "; ") + kadSkipped;
        if (withInfinity)
        {
            const int sizes = 25;
            if (test.Count >= 2 * sizes) infinity = StemGen.Evaluation.Fad.FadInfinity.Compute(reference, test, sizes).FadInfinity;
            else warning = (warning is null ? "" : warning + "; ") + $"FAD-inf skipped: needs at least {2 * sizes} test embeddings";
        }
        return new FadReport(embedding.Name, embedding.Description, fad, reference.Count, test.Count, referenceClips, testClips, clipSeconds, infinity, warning, kad);
    }
}
