namespace StemGen.Evaluation.Fad;

/// <summary>
/// A FAD with everything needed to read it: the embedding (never mix numbers across embeddings),
/// how many embeddings each set had and the clip length (FAD is biased by n), and FAD-inf when computed.
/// </summary>
public sealed record FadReport(
    string Embedding, string EmbeddingDescription, double Fad, int ReferenceEmbeddings, int TestEmbeddings,
    int ReferenceClips, int TestClips, double ClipSeconds, double? FadInfinity = null, string? Warning = null)
{
    /// <summary>FAD of two embedding populations, with a warning when either has fewer embeddings than dimensions.</summary>
    public static FadReport Compute(IAudioEmbedding embedding, IReadOnlyList<float[]> reference, IReadOnlyList<float[]> test,
        int referenceClips, int testClips, double clipSeconds, bool withInfinity = false)
    {
        var fad = FrechetDistance.Compute(GaussianStatistics.Of(reference), GaussianStatistics.Of(test));
        double? infinity = null;
        string? warning = null;
        if (Math.Min(reference.Count, test.Count) <= embedding.Dimension)
            warning = $"only {Math.Min(reference.Count, test.Count)} embeddings for a {embedding.Dimension}-d embedding: covariances are singular and FAD is strongly biased; use well over {embedding.Dimension}";
        if (withInfinity)
        {
            const int sizes = 25;
            if (test.Count >= 2 * sizes) infinity = StemGen.Evaluation.Fad.FadInfinity.Compute(reference, test, sizes).FadInfinity;
            else warning = (warning is null ? "" : warning + "; ") + $"FAD-inf skipped: needs at least {2 * sizes} test embeddings";
        }
        return new FadReport(embedding.Name, embedding.Description, fad, reference.Count, test.Count, referenceClips, testClips, clipSeconds, infinity, warning);
    }
}
