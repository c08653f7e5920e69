namespace StemGen.Evaluation.Mir;

/// <summary>A section: label (0 = A, 1 = B, ... in order of first appearance), start and end in seconds.</summary>
public readonly record struct Section(int Label, double Start, double End)
{
    public string Name => Label < 26 ? ((char)('A' + Label)).ToString() : $"S{Label}";
}

/// <summary>
/// Structure by self-similarity (Foote 2000): chroma frames (L2-normalised) averaged over 0.5 s blocks,
/// a cosine self-similarity matrix, novelty from a Gaussian-tapered checkerboard kernel of 2 x 4 s,
/// boundaries at novelty peaks above mean + 0.5 std at least 4 s apart; then sections whose mean chroma
/// match (cosine >= <see cref="SameLabelSimilarity"/>) share a label.
/// </summary>
public static class StructureSegmenter
{
    public const double BlockSeconds = 0.5;
    public const double KernelSeconds = 4;
    public const double MinSectionSeconds = 4;
    public const double SameLabelSimilarity = 0.9;

    public static IReadOnlyList<Section> Segment(Chroma chroma)
    {
        var perBlock = Math.Max(1, (int)Math.Round(BlockSeconds * Chroma.FrameRate));
        var blockCount = chroma.Frames.Length / perBlock;
        if (blockCount == 0) return [];
        var blocks = new double[blockCount][];
        for (var b = 0; b < blockCount; b++)
        {
            var v = new double[12];
            for (var f = b * perBlock; f < (b + 1) * perBlock; f++)
            {
                var frame = chroma.Frames[f];
                var norm = Math.Sqrt(frame.Sum(x => x * x));
                if (norm > 0) for (var i = 0; i < 12; i++) v[i] += frame[i] / norm;
            }
            blocks[b] = Normalise(v);
        }
        var blockSeconds = (double)perBlock / Chroma.FrameRate;
        var boundaries = Boundaries(blocks, blockSeconds);
        var sections = new List<Section>();
        var prototypes = new List<double[]>();
        for (var s = 0; s + 1 < boundaries.Count; s++)
        {
            var mean = new double[12];
            for (var b = boundaries[s]; b < boundaries[s + 1]; b++)
                for (var i = 0; i < 12; i++) mean[i] += blocks[b][i];
            mean = Normalise(mean);
            var label = prototypes.FindIndex(p => Dot(p, mean) >= SameLabelSimilarity);
            if (label < 0)
            {
                prototypes.Add(mean);
                label = prototypes.Count - 1;
            }
            sections.Add(new Section(label, boundaries[s] * blockSeconds, boundaries[s + 1] * blockSeconds));
        }
        return sections;
    }

    /// <summary>Block indices of section starts, with 0 first and the block count last.</summary>
    internal static List<int> Boundaries(double[][] blocks, double blockSeconds)
    {
        var n = blocks.Length;
        var half = Math.Max(1, (int)Math.Round(KernelSeconds / blockSeconds));
        var novelty = new double[n];
        for (var t = 0; t < n; t++)
        {
            double s = 0;
            for (var i = -half; i < half; i++)
                for (var j = -half; j < half; j++)
                {
                    int a = t + i, b = t + j;
                    if (a < 0 || b < 0 || a >= n || b >= n) continue;
                    var sign = (i < 0) == (j < 0) ? 1 : -1;
                    double gi = (i + 0.5) / half, gj = (j + 0.5) / half;
                    s += sign * Math.Exp(-2 * (gi * gi + gj * gj)) * Dot(blocks[a], blocks[b]);
                }
            novelty[t] = s;
        }
        var mean = novelty.Average();
        var std = Math.Sqrt(novelty.Average(v => (v - mean) * (v - mean)));
        var minGap = Math.Max(1, (int)Math.Round(MinSectionSeconds / blockSeconds));
        var result = new List<int> { 0 };
        var candidates = Enumerable.Range(1, Math.Max(0, n - 2)).Where(t => novelty[t] > novelty[t - 1] && novelty[t] >= novelty[t + 1] && novelty[t] > mean + 0.5 * std)
            .OrderByDescending(t => novelty[t]).ToList();
        var chosen = new List<int>();
        foreach (var t in candidates)
            if (t >= minGap && n - t >= minGap && chosen.All(c => Math.Abs(c - t) >= minGap)) chosen.Add(t);
        result.AddRange(chosen.Order());
        result.Add(n);
        return result;
    }

    private static double[] Normalise(double[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => x * x));
        return norm > 0 ? v.Select(x => x / norm).ToArray() : v;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
