namespace StemGen.Evaluation.Fad;

/// <summary>Mean and covariance (float64, unbiased: divided by n - 1) of a set of embeddings.</summary>
public sealed class GaussianStatistics
{
    private GaussianStatistics(double[] mean, double[,] covariance, int count)
    {
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    public double[] Mean { get; }
    public double[,] Covariance { get; }
    /// <summary>How many embeddings the statistics were computed from.</summary>
    public int Count { get; }
    public int Dimension => Mean.Length;

    /// <summary>Statistics of <paramref name="embeddings"/> (n rows of equal dimension, n &gt;= 2).</summary>
    public static GaussianStatistics Of(IReadOnlyList<float[]> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count < 2) throw new ArgumentException($"need at least 2 embeddings for a covariance (got {embeddings.Count})", nameof(embeddings));
        var d = embeddings[0].Length;
        if (d == 0) throw new ArgumentException("embeddings are empty", nameof(embeddings));
        for (var i = 0; i < embeddings.Count; i++)
        {
            if (embeddings[i].Length != d) throw new ArgumentException($"embedding {i} has {embeddings[i].Length} values, the first has {d}", nameof(embeddings));
            foreach (var v in embeddings[i])
                if (!float.IsFinite(v)) throw new ArgumentException($"embedding {i} holds a non-finite value", nameof(embeddings));
        }
        var n = embeddings.Count;
        var mean = new double[d];
        foreach (var e in embeddings)
            for (var j = 0; j < d; j++) mean[j] += e[j];
        for (var j = 0; j < d; j++) mean[j] /= n;
        var cov = new double[d, d];
        var centred = new double[d];
        foreach (var e in embeddings)
        {
            for (var j = 0; j < d; j++) centred[j] = e[j] - mean[j];
            for (var a = 0; a < d; a++)
            {
                var ca = centred[a];
                for (var b = a; b < d; b++) cov[a, b] += ca * centred[b];
            }
        }
        for (var a = 0; a < d; a++)
            for (var b = a; b < d; b++)
            {
                cov[a, b] /= n - 1;
                cov[b, a] = cov[a, b];
            }
        return new GaussianStatistics(mean, cov, n);
    }

    /// <summary>Statistics given directly (tests, or statistics saved earlier).</summary>
    public static GaussianStatistics FromMoments(double[] mean, double[,] covariance, int count)
    {
        if (covariance.GetLength(0) != mean.Length || covariance.GetLength(1) != mean.Length)
            throw new ArgumentException($"covariance is {covariance.GetLength(0)}x{covariance.GetLength(1)} but the mean has {mean.Length} values");
        return new GaussianStatistics(mean, covariance, count);
    }
}
