namespace StemGen.Evaluation.Fad;

/// <summary>
/// A KAD with what is needed to read it: the unbiased squared MMD, the bandwidth h it was computed at
/// (KAD values are only comparable at the same h) and how h was chosen, both set sizes, and the three
/// kernel means it is made of.
/// </summary>
public sealed record KadResult(
    double Mmd2, double Bandwidth, string BandwidthRule, int ReferenceCount, int TestCount,
    double MeanWithinReference, double MeanWithinTest, double MeanCross)
{
    /// <summary>The KAD paper's reporting scale (Chung et al. 2025): KAD = 1000 x MMD^2.</summary>
    public const double Scale = 1000;

    /// <summary>MMD^2 x 1000, the number tables print as "KAD (x1000)".</summary>
    public double KadTimes1000 => Scale * Mmd2;
}

/// <summary>
/// Kernel audio distance (Chung et al. 2025, "KAD: No More FAD!"): the unbiased estimate of the squared
/// maximum mean discrepancy (Gretton et al. 2012, eq. 3) between two embedding populations, with the
/// Gaussian RBF kernel k(x, y) = exp(-|x - y|^2 / (2 h^2)). Unlike FAD it assumes no Gaussian and has no
/// bias at finite n: its expectation over draws is the population MMD^2 at every n >= 2, so it can be
/// slightly negative when the populations agree. O((n + m)^2 d) in float64 via |x|^2 + |y|^2 - 2 x.y.
/// </summary>
public static class KernelAudioDistance
{
    /// <summary>Pooled embeddings above which the median heuristic uses a seeded subsample of this many.</summary>
    public const int MedianSubsample = 3000;

    /// <summary>
    /// KAD between <paramref name="reference"/> and <paramref name="test"/> at bandwidth
    /// <paramref name="bandwidth"/>, or at the median of the pooled pairwise distances when none is given.
    /// </summary>
    public static KadResult Compute(IReadOnlyList<float[]> reference, IReadOnlyList<float[]> test, double? bandwidth = null, string? bandwidthRule = null)
    {
        var x = Matrix.Of(reference, nameof(reference));
        var y = Matrix.Of(test, nameof(test));
        if (x.D != y.D) throw new ArgumentException($"embedding dimensions differ: {x.D} vs {y.D}");
        double h;
        string rule;
        if (bandwidth is { } given)
        {
            if (!(double.IsFinite(given) && given > 0)) throw new ArgumentOutOfRangeException(nameof(bandwidth), given, "the KAD bandwidth must be a positive finite number");
            h = given;
            rule = bandwidthRule ?? "given";
        }
        else
        {
            h = MedianDistance(Matrix.Concat(x, y), "pooled reference and test");
            rule = bandwidthRule ?? (x.N + y.N > MedianSubsample
                ? $"median pairwise distance of {MedianSubsample} of the {x.N + y.N} pooled embeddings"
                : "median pairwise distance of the pooled embeddings");
        }
        var gamma = 1 / (2 * h * h);
        var kxx = KernelSum(x, x, gamma, offDiagonal: true) / ((double)x.N * (x.N - 1));
        var kyy = KernelSum(y, y, gamma, offDiagonal: true) / ((double)y.N * (y.N - 1));
        var kxy = KernelSum(x, y, gamma, offDiagonal: false) / ((double)x.N * y.N);
        // MMD_u^2 = 1/(n(n-1)) sum_{i!=j} k(x_i,x_j) + 1/(m(m-1)) sum_{i!=j} k(y_i,y_j) - 2/(nm) sum_{i,j} k(x_i,y_j)
        return new KadResult(kxx + kyy - 2 * kxy, h, rule, x.N, y.N, kxx, kyy, kxy);
    }

    /// <summary>
    /// The median heuristic: the median of the Euclidean distances |e_i - e_j| over all pairs i &lt; j
    /// (mean of the two middle ones for an even count). Above <see cref="MedianSubsample"/> embeddings,
    /// over a fixed-seed subsample of that many.
    /// </summary>
    public static double MedianBandwidth(IReadOnlyList<float[]> embeddings) => MedianDistance(Matrix.Of(embeddings, nameof(embeddings)), "the embeddings");

    private static double MedianDistance(Matrix all, string what)
    {
        var m = all.N > MedianSubsample ? all.Subsample(MedianSubsample, seed: 0) : all;
        var distances = new double[(long)m.N * (m.N - 1) / 2];
        var k = 0;
        for (var i = 0; i < m.N; i++)
            for (var j = i + 1; j < m.N; j++)
                distances[k++] = Math.Sqrt(m.SquaredDistance(i, m, j));
        Array.Sort(distances);
        var half = distances.Length / 2;
        var median = distances.Length % 2 == 1 ? distances[half] : (distances[half - 1] + distances[half]) / 2;
        if (!(median > 0))
            throw new ArgumentException($"the median pairwise distance of {what} is 0 (most embeddings coincide): give the KAD bandwidth explicitly");
        return median;
    }

    /// <summary>sum_{i,j} exp(-gamma |a_i - b_j|^2), skipping i == j when <paramref name="offDiagonal"/> (a and b the same set).</summary>
    private static double KernelSum(Matrix a, Matrix b, double gamma, bool offDiagonal)
    {
        // One partial sum per row, added in row order afterwards: the result does not depend on scheduling.
        var rows = new double[a.N];
        void Row(int i)
        {
            double s = 0;
            if (offDiagonal)
            {
                // Symmetric: each pair i < j once, counted twice.
                for (var j = i + 1; j < b.N; j++) s += 2 * Math.Exp(-gamma * a.SquaredDistance(i, b, j));
            }
            else
            {
                for (var j = 0; j < b.N; j++) s += Math.Exp(-gamma * a.SquaredDistance(i, b, j));
            }
            rows[i] = s;
        }
        // Small blocks (repeated small-n draws) are not worth a thread hand-off.
        if ((long)a.N * b.N * a.D < 200_000)
            for (var i = 0; i < a.N; i++) Row(i);
        else
            Parallel.For(0, a.N, Row);
        double total = 0;
        foreach (var r in rows) total += r;
        return total;
    }

    /// <summary>Embeddings as a row-major float64 n x d block with their squared norms.</summary>
    private sealed class Matrix
    {
        private readonly double[] values; // (N, D)
        private readonly double[] norms;  // (N): |row|^2

        private Matrix(double[] values, int n, int d)
        {
            this.values = values;
            N = n;
            D = d;
            norms = new double[n];
            for (var i = 0; i < n; i++) norms[i] = Dot(values.AsSpan(i * d, d), values.AsSpan(i * d, d));
        }

        public int N { get; }
        public int D { get; }

        public static Matrix Of(IReadOnlyList<float[]> embeddings, string name)
        {
            ArgumentNullException.ThrowIfNull(embeddings, name);
            if (embeddings.Count < 2) throw new ArgumentException($"KAD needs at least 2 embeddings per set (got {embeddings.Count})", name);
            var d = embeddings[0].Length;
            if (d == 0) throw new ArgumentException("embeddings are empty", name);
            var values = new double[(long)embeddings.Count * d];
            for (var i = 0; i < embeddings.Count; i++)
            {
                var e = embeddings[i];
                if (e.Length != d) throw new ArgumentException($"embedding {i} has {e.Length} values, the first has {d}", name);
                for (var j = 0; j < d; j++)
                {
                    if (!float.IsFinite(e[j])) throw new ArgumentException($"embedding {i} holds a non-finite value", name);
                    values[i * d + j] = e[j];
                }
            }
            return new Matrix(values, embeddings.Count, d);
        }

        public static Matrix Concat(Matrix a, Matrix b) => new([.. a.values, .. b.values], a.N + b.N, a.D);

        public Matrix Subsample(int count, int seed)
        {
            var order = Enumerable.Range(0, N).ToArray();
            new Random(seed).Shuffle(order);
            var picked = new double[(long)count * D];
            for (var i = 0; i < count; i++) Array.Copy(values, order[i] * D, picked, i * D, D);
            return new Matrix(picked, count, D);
        }

        /// <summary>|a_i - b_j|^2 = |a_i|^2 + |b_j|^2 - 2 a_i.b_j, clipped at 0 (round-off).</summary>
        public double SquaredDistance(int i, Matrix b, int j) =>
            Math.Max(0, norms[i] + b.norms[j] - 2 * Dot(values.AsSpan(i * D, D), b.values.AsSpan(j * D, D)));

        private static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
        {
            var width = System.Numerics.Vector<double>.Count;
            var acc = System.Numerics.Vector<double>.Zero;
            var k = 0;
            for (; k <= u.Length - width; k += width)
                acc += new System.Numerics.Vector<double>(u[k..]) * new System.Numerics.Vector<double>(v[k..]);
            var s = System.Numerics.Vector.Sum(acc);
            for (; k < u.Length; k++) s += u[k] * v[k];
            return s;
        }
    }
}
