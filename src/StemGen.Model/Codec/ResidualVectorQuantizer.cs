using StemGen.Torch;
using StemGen.Torch.Modules;

namespace StemGen.Model.Codec;

/// <summary>How codebooks learn while the codec trains (audiocraft's EuclideanCodebook defaults).</summary>
/// <param name="Decay">EMA decay of cluster sizes and vector sums.</param>
/// <param name="Epsilon">Laplace smoothing of the cluster sizes.</param>
/// <param name="DeadCodeThreshold">A code whose EMA cluster size falls below this is re-drawn from the batch (0 = never).</param>
/// <param name="KMeansIterations">Lloyd iterations of the data-dependent initialisation on the first batch.</param>
public sealed record CodebookTraining(double Decay = 0.99, double Epsilon = 1e-5, double DeadCodeThreshold = 2.0, int KMeansIterations = 10);

/// <summary>
/// One codebook (HF `codebook.embed` [K, D]) with its EMA statistics `cluster_size` [K] and
/// `embed_avg` [K, D] and the `inited` flag [1]. The statistics only matter for training.
/// </summary>
public sealed class EuclideanCodebook : Module
{
    public EuclideanCodebook(int size, int dim)
    {
        (Size, Dim) = (size, dim);
        Inited = RegisterBuffer("inited", Tensors.Zeros([1]));
        ClusterSize = RegisterBuffer("cluster_size", Tensors.Zeros([size]));
        Embed = RegisterBuffer("embed", Tensors.Randn([size, dim]));
        EmbedAvg = RegisterBuffer("embed_avg", Embed.Clone());
    }

    public int Size { get; }
    public int Dim { get; }
    public Tensor Inited { get; }
    public Tensor ClusterSize { get; }
    /// <summary>The codebook vectors (K, D).</summary>
    public Tensor Embed { get; }
    public Tensor EmbedAvg { get; }

    /// <summary>Index of the nearest code of each row of x (N, D), by ||x||^2 - 2 x e^T + ||e||^2.</summary>
    public Tensor Nearest(Tensor x) => Nearest(x, Embed);

    internal static Tensor Nearest(Tensor x, Tensor codes)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var xx = x.Square().Sum(1, keepDim: true);            // (N, 1)
        var xe = x.Matmul(codes.Transpose(0, 1));              // (N, K)
        var ee = codes.Square().Sum(1).Unsqueeze(0);           // (1, K)
        var distance = xx - xe * 2.0 + ee;                     // (N, K)
        return distance.ArgMin(1).MoveToOuterScope();          // (N)
    }

    /// <summary>Codebook vectors of <paramref name="indices"/> (any shape) -> (..., D).</summary>
    public Tensor Lookup(Tensor indices) => Functional.Embedding(Embed, indices);

    /// <summary>
    /// One training step on x (N, D), outside autograd: data-initialise on the first call (k-means),
    /// quantize with the codebook as it was, then update the EMA statistics
    /// (cluster_size, embed_avg with <see cref="CodebookTraining.Decay"/>; embed = embed_avg /
    /// Laplace-smoothed cluster_size) and replace dead codes by random vectors of the batch.
    /// Returns the quantized rows (N, D), their indices (N) and how many codes were replaced.
    /// </summary>
    public (Tensor Quantized, Tensor Indices, int Replaced) TrainingStep(Tensor x, CodebookTraining settings, Generator? generator = null)
    {
        using var noGrad = TorchRuntime.NoGrad();
        using var scope = TorchRuntime.NewDisposeScope();
        x = x.Detach();
        if (Inited.ToDouble() == 0) InitializeFromData(x, settings.KMeansIterations, generator);

        var indices = Nearest(x);
        var quantized = Lookup(indices);

        // EMA: N_k <- d N_k + (1 - d) n_k ; m_k <- d m_k + (1 - d) sum_{i in k} x_i
        var (counts, sums) = ClusterStatistics(x, indices, Size);
        ClusterSize.LerpInPlace(counts, 1 - settings.Decay);
        EmbedAvg.LerpInPlace(sums, 1 - settings.Decay);
        // Laplace smoothing: (N_k + eps) / (n + K eps) * n, so no code divides by zero.
        var n = ClusterSize.Sum();
        var smoothed = (ClusterSize + settings.Epsilon) / (n + Size * settings.Epsilon) * n;
        Embed.CopyFrom(EmbedAvg / smoothed.Unsqueeze(1));

        var replaced = ReplaceDeadCodes(x, settings.DeadCodeThreshold, generator);
        return (quantized.MoveToOuterScope(), indices.MoveToOuterScope(), replaced);
    }

    /// <summary>Codes whose EMA cluster size is below the threshold take a random batch vector; their statistics restart at the threshold.</summary>
    internal int ReplaceDeadCodes(Tensor x, double threshold, Generator? generator)
    {
        if (threshold <= 0) return 0;
        using var noGrad = TorchRuntime.NoGrad();
        using var scope = TorchRuntime.NewDisposeScope();
        var expired = ClusterSize.Lt(threshold);
        var count = (int)expired.Sum().ToInt64();
        if (count == 0) return 0;
        var samples = SampleRows(x, Size, generator);
        var mask = expired.Unsqueeze(1);
        Embed.CopyFrom(Tensors.Where(mask, samples, Embed));
        EmbedAvg.CopyFrom(Tensors.Where(mask, samples * threshold, EmbedAvg));
        ClusterSize.CopyFrom(ClusterSize.MaskedFill(expired, threshold));
        return count;
    }

    /// <summary>k-means (Lloyd) from random batch vectors; empty clusters keep their previous centre.</summary>
    private void InitializeFromData(Tensor x, int iterations, Generator? generator)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var means = SampleRows(x, Size, generator);
        var counts = Tensors.Zeros([Size], x.DType, x.Device);
        for (var i = 0; i < Math.Max(1, iterations); i++)
        {
            var assignment = Nearest(x, means);
            (counts, var sums) = ClusterStatistics(x, assignment, Size);
            var empty = counts.Eq(0.0).Unsqueeze(1);
            means = Tensors.Where(empty, means, sums / counts.Clamp(min: 1).Unsqueeze(1));
        }
        Embed.CopyFrom(means);
        EmbedAvg.CopyFrom(means * counts.Unsqueeze(1));
        ClusterSize.CopyFrom(counts);
        Inited.FillInPlace(1);
    }

    /// <summary>Per code: how many rows chose it (K) and the sum of those rows (K, D).</summary>
    private static (Tensor Counts, Tensor Sums) ClusterStatistics(Tensor x, Tensor indices, int size)
    {
        var ones = Tensors.Ones([x.Size(0)], x.DType, x.Device);
        var counts = Tensors.Zeros([size], x.DType, x.Device).IndexAdd(0, indices, ones);
        var sums = Tensors.Zeros([size, x.Size(1)], x.DType, x.Device).IndexAdd(0, indices, x);
        return (counts, sums);
    }

    /// <summary>k rows of x drawn without replacement when there are enough, with replacement otherwise.</summary>
    private static Tensor SampleRows(Tensor x, long k, Generator? generator)
    {
        var n = x.Size(0);
        var device = generator?.Device ?? x.Device;
        using var picked = n >= k
            ? Tensors.RandPerm(n, generator, device).Narrow(0, 0, k)
            : Tensors.RandInt(0, n, [k], generator, device: device);
        using var onDevice = picked.To(x.Device);
        return x.IndexSelect(0, onDevice);
    }
}

/// <summary>One level of the residual quantizer (HF `quantizer.layers.{q}`).</summary>
public sealed class VectorQuantizer : Module
{
    public VectorQuantizer(int size, int dim)
    {
        Codebook = RegisterModule("codebook", new EuclideanCodebook(size, dim));
    }

    public EuclideanCodebook Codebook { get; }
}

/// <summary>What the quantizer gives the training loop.</summary>
/// <param name="Quantized">(B, D, T), with the straight-through gradient to the latent.</param>
/// <param name="Codes">(B, Q, T) long.</param>
/// <param name="CommitmentLoss">Mean over levels of mse(residual_q, quantized_q.detach()).</param>
/// <param name="ReplacedCodes">Dead codes replaced in this step, all levels together.</param>
public sealed record QuantizerTrainingOutput(Tensor Quantized, Tensor Codes, Tensor CommitmentLoss, int ReplacedCodes);

/// <summary>
/// Residual vector quantizer: level q quantizes what levels 0..q-1 left (nearest neighbour,
/// residual subtraction); decoding sums the looked-up vectors of every level.
/// </summary>
public sealed class ResidualVectorQuantizer : Module
{
    private readonly ModuleList<VectorQuantizer> layers;

    public ResidualVectorQuantizer(int levels, int codebookSize, int dim)
    {
        layers = RegisterModule("layers", new ModuleList<VectorQuantizer>(
            Enumerable.Range(0, levels).Select(_ => new VectorQuantizer(codebookSize, dim))));
        (Levels, CodebookSize, Dim) = (levels, codebookSize, dim);
    }

    public int Levels { get; }
    public int CodebookSize { get; }
    public int Dim { get; }
    public IReadOnlyList<VectorQuantizer> Layers => layers;

    /// <summary>(B, D, T) latent -> (B, Q, T) codes, Q = <paramref name="levels"/> (all by default).</summary>
    public Tensor Encode(Tensor latent, int? levels = null)
    {
        var q = CheckLevels(levels ?? Levels);
        using var scope = TorchRuntime.NewDisposeScope();
        var (b, t) = (latent.Size(0), latent.Size(2));
        var residual = Rows(latent);                         // (B*T, D)
        var codes = new List<Tensor>(q);
        for (var i = 0; i < q; i++)
        {
            var codebook = layers[i].Codebook;
            var indices = codebook.Nearest(residual);
            residual = residual - codebook.Lookup(indices);
            codes.Add(indices.View(b, t));
        }
        return Tensors.Stack(codes, 1).MoveToOuterScope();   // (B, Q, T)
    }

    /// <summary>(B, Q', T) codes (Q' &lt;= Q, the first levels) -> (B, D, T): the sum of each level's vectors.</summary>
    public Tensor Decode(Tensor codes)
    {
        if (codes.Dim != 3) throw new ArgumentException($"codes must be (B, Q, T), got [{string.Join(", ", codes.Shape)}]", nameof(codes));
        var q = CheckLevels((int)codes.Size(1));
        using var scope = TorchRuntime.NewDisposeScope();
        Tensor? sum = null;
        for (var i = 0; i < q; i++)
        {
            var vectors = layers[i].Codebook.Lookup(codes.Select(1, i)); // (B, T, D)
            sum = sum is null ? vectors : sum + vectors;
        }
        return sum!.Transpose(1, 2).MoveToOuterScope();
    }

    /// <summary>
    /// Training pass: every level quantizes its (detached) residual and updates its EMA codebook;
    /// the output carries the straight-through gradient x + (q - x).detach() of the total.
    /// </summary>
    public QuantizerTrainingOutput ForwardTraining(Tensor latent, CodebookTraining settings, Generator? generator = null)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var (b, d, t) = (latent.Size(0), latent.Size(1), latent.Size(2));
        var x = Rows(latent);                                // (B*T, D), in the graph
        var residual = x;
        Tensor? total = null;
        Tensor? commitment = null;
        var codes = new List<Tensor>(Levels);
        var replaced = 0;
        foreach (var layer in layers)
        {
            var (quantized, indices, count) = layer.Codebook.TrainingStep(residual, settings, generator);
            replaced += count;
            var commit = Functional.MseLoss(residual, quantized); // quantized carries no gradient
            commitment = commitment is null ? commit : commitment + commit;
            residual = residual - quantized;
            total = total is null ? quantized : total + quantized;
            codes.Add(indices.View(b, t));
        }
        var straightThrough = x + (total! - x).Detach();
        var output = straightThrough.View(b, t, d).Transpose(1, 2);
        return new QuantizerTrainingOutput(
            output.MoveToOuterScope(),
            Tensors.Stack(codes, 1).MoveToOuterScope(),
            (commitment! / Levels).MoveToOuterScope(),
            replaced);
    }

    private static Tensor Rows(Tensor latent) => latent.Transpose(1, 2).Reshape(-1, latent.Size(1));

    private int CheckLevels(int q) =>
        q >= 1 && q <= Levels ? q : throw new ArgumentOutOfRangeException(nameof(q), q, $"this quantizer has {Levels} levels");
}
