using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class CodecQuantizerTests
{
    private static int BruteForceNearest(float[] codes, int k, int d, ReadOnlySpan<double> x)
    {
        var (best, bestDistance) = (-1, double.MaxValue);
        for (var c = 0; c < k; c++)
        {
            var distance = 0.0;
            for (var j = 0; j < d; j++) distance += Math.Pow(x[j] - codes[c * d + j], 2);
            if (distance < bestDistance) (best, bestDistance) = (c, distance);
        }
        return best;
    }

    private static void SetCodebook(EuclideanCodebook codebook, float[] embed, float[]? clusterSize = null)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Tensor.FromArray(embed, codebook.Size, codebook.Dim);
        codebook.Embed.CopyFrom(e);
        var c = clusterSize is null ? Tensors.Ones([codebook.Size]) : Tensor.FromArray(clusterSize);
        codebook.ClusterSize.CopyFrom(c);
        codebook.EmbedAvg.CopyFrom(e * c.Unsqueeze(1));
        codebook.Inited.FillInPlace(1);
    }

    [Fact]
    public void Nearest_code_matches_brute_force_search()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codebook = new EuclideanCodebook(37, 5);
        var x = Tensors.Randn([50, 5]);
        var indices = codebook.Nearest(x).ToArray<long>();
        var codes = CodecTestData.Values(codebook.Embed);
        var rows = CodecTestData.Values(x);
        for (var i = 0; i < 50; i++)
        {
            var row = rows.AsSpan(i * 5, 5).ToArray().Select(v => (double)v).ToArray();
            Assert.Equal(BruteForceNearest(codes, 37, 5, row), indices[i]);
        }
    }

    [Fact]
    public void Residual_levels_quantize_what_the_previous_levels_left()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int levels = 3, k = 16, d = 4, b = 2, t = 7;
        using var rvq = new ResidualVectorQuantizer(levels, k, d);
        var latent = Tensors.Randn([b, d, t]) * 2.0;
        var codes = rvq.Encode(latent);
        Assert.Equal([(long)b, levels, t], codes.Shape);
        Assert.Equal(ScalarType.Int64, codes.DType);

        var actual = codes.ToArray<long>();
        var values = CodecTestData.Values(latent);
        var books = rvq.Layers.Select(l => CodecTestData.Values(l.Codebook.Embed)).ToArray();
        for (var bi = 0; bi < b; bi++)
            for (var ti = 0; ti < t; ti++)
            {
                var residual = new double[d];
                for (var j = 0; j < d; j++) residual[j] = values[(bi * d + j) * t + ti];
                for (var q = 0; q < levels; q++)
                {
                    var index = BruteForceNearest(books[q], k, d, residual);
                    Assert.Equal(index, actual[(bi * levels + q) * t + ti]);
                    for (var j = 0; j < d; j++) residual[j] -= books[q][index * d + j];
                }
            }

        // Decoding sums each level's vector.
        var decoded = CodecTestData.Values(rvq.Decode(codes));
        for (var bi = 0; bi < b; bi++)
            for (var j = 0; j < d; j++)
                for (var ti = 0; ti < t; ti++)
                {
                    var sum = 0.0;
                    for (var q = 0; q < levels; q++) sum += books[q][actual[(bi * levels + q) * t + ti] * d + j];
                    Assert.Equal(sum, decoded[(bi * d + j) * t + ti], 1e-5);
                }
    }

    [Fact]
    public void Latents_made_of_codebook_vectors_encode_to_their_codes_and_decode_exactly()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var rvq = new ResidualVectorQuantizer(2, 8, 3);
        // Level 0: well separated points (+-10 on each axis, and the two diagonals); level 1: small offsets.
        SetCodebook(rvq.Layers[0].Codebook, [10, 0, 0, -10, 0, 0, 0, 10, 0, 0, -10, 0, 0, 0, 10, 0, 0, -10, 10, 10, 10, -10, -10, -10]);
        var small = new float[24];
        var random = new Random(3);
        for (var i = 0; i < small.Length; i++) small[i] = (float)(random.NextDouble() - 0.5);
        SetCodebook(rvq.Layers[1].Codebook, small);

        long[] first = [3, 0, 7, 5, 1, 6], second = [2, 7, 0, 4, 4, 1];
        var latent = (rvq.Layers[0].Codebook.Lookup(Tensor.FromArray(first)) + rvq.Layers[1].Codebook.Lookup(Tensor.FromArray(second)))
            .Transpose(0, 1).Unsqueeze(0); // (1, 3, 6)
        var codes = rvq.Encode(latent);
        Assert.Equal(first, codes.Select(1, 0).ToArray<long>());
        Assert.Equal(second, codes.Select(1, 1).ToArray<long>());
        CodecTestData.AssertClose(CodecTestData.Values(latent), CodecTestData.Values(rvq.Decode(codes)));
    }

    [Fact]
    public void Ema_update_matches_a_hand_computation()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codebook = new EuclideanCodebook(3, 2);
        SetCodebook(codebook, [0, 0, 10, 0, 0, 10], [2, 2, 2]);
        var x = Tensor.FromArray([1f, 0, 0, 1, 9, 1, 11, 0, 0, 9], 5, 2);
        var settings = new CodebookTraining(Decay: 0.9, Epsilon: 1e-5, DeadCodeThreshold: 0);

        var (quantized, indices, replaced) = codebook.TrainingStep(x, settings);

        Assert.Equal([0L, 0, 1, 1, 2], indices.ToArray<long>());
        Assert.Equal([0f, 0, 0, 0, 10, 0, 10, 0, 0, 10], CodecTestData.Values(quantized)); // the codebook before the update
        Assert.Equal(0, replaced);
        // counts [2, 2, 1]; sums [(1, 1), (20, 1), (0, 9)]
        double[] cluster = [0.9 * 2 + 0.1 * 2, 0.9 * 2 + 0.1 * 2, 0.9 * 2 + 0.1 * 1];
        double[] avg = [0.9 * 0 + 0.1 * 1, 0.9 * 0 + 0.1 * 1, 0.9 * 20 + 0.1 * 20, 0.9 * 0 + 0.1 * 1, 0.9 * 0 + 0.1 * 0, 0.9 * 20 + 0.1 * 9];
        var n = cluster.Sum();
        var embed = new double[6];
        for (var c = 0; c < 3; c++)
        {
            var smoothed = (cluster[c] + 1e-5) / (n + 3 * 1e-5) * n;
            embed[2 * c] = avg[2 * c] / smoothed;
            embed[2 * c + 1] = avg[2 * c + 1] / smoothed;
        }
        var actualCluster = CodecTestData.Values(codebook.ClusterSize);
        var actualAvg = CodecTestData.Values(codebook.EmbedAvg);
        var actualEmbed = CodecTestData.Values(codebook.Embed);
        for (var i = 0; i < 3; i++) Assert.Equal(cluster[i], actualCluster[i], 1e-5);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(avg[i], actualAvg[i], 1e-5);
            Assert.Equal(embed[i], actualEmbed[i], 1e-5);
        }
    }

    private static Tensor TwoClusters(Random random, int n)
    {
        var data = new float[n * 2];
        for (var i = 0; i < n; i++)
        {
            var sign = i % 2 == 0 ? 1 : -1;
            data[2 * i] = (float)(sign + 0.3 * (random.NextDouble() - 0.5));
            data[2 * i + 1] = (float)(sign + 0.3 * (random.NextDouble() - 0.5));
        }
        return Tensor.FromArray(data, n, 2);
    }

    [Fact]
    public void Dead_codes_are_replaced_by_batch_vectors_and_come_back_into_use()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codebook = new EuclideanCodebook(8, 2);
        using var generator = new Generator(7);
        // Two live codes on the data, six far away that nothing ever picks.
        SetCodebook(codebook, [1, 1, -1, -1, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50], [32, 32, 0, 0, 0, 0, 0, 0]);
        var settings = new CodebookTraining(DeadCodeThreshold: 1.0);
        var random = new Random(1);

        var (_, first, replaced) = codebook.TrainingStep(TwoClusters(random, 64), settings, generator);
        Assert.Equal(6, replaced);
        Assert.Equal(2, first.ToArray<long>().Distinct().Count());
        for (var step = 0; step < 20; step++) codebook.TrainingStep(TwoClusters(random, 64), settings, generator);

        Assert.All(CodecTestData.Values(codebook.Embed), v => Assert.True(Math.Abs(v) < 2, $"code component {v} is off the data"));
        var used = codebook.Nearest(TwoClusters(random, 256)).ToArray<long>().Distinct().Count();
        Assert.True(used >= 6, $"only {used} of 8 codes are used after revival");
    }

    [Fact]
    public void First_training_step_initialises_the_codebook_from_the_data()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codebook = new EuclideanCodebook(4, 2);
        using var generator = new Generator(3);
        Assert.Equal(0, codebook.Inited.ToDouble());
        var data = TwoClusters(new Random(2), 200);
        codebook.TrainingStep(data, new CodebookTraining(DeadCodeThreshold: 0), generator);
        Assert.Equal(1, codebook.Inited.ToDouble());
        Assert.Equal(200, codebook.ClusterSize.Sum().ToDouble(), 3);
        Assert.All(CodecTestData.Values(codebook.Embed), v => Assert.InRange(Math.Abs(v), 0.7, 1.3));
    }

    [Fact]
    public void Training_output_is_the_quantized_latent_with_a_straight_through_gradient()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var rvq = new ResidualVectorQuantizer(2, 8, 3);
        using var generator = new Generator(5);
        var latent = Tensors.Randn([2, 3, 5]);
        latent.RequiresGrad = true;
        foreach (var layer in rvq.Layers) layer.Codebook.Inited.FillInPlace(1); // no data initialisation
        var before = rvq.Layers.Select(l => l.Codebook.Embed.Clone()).ToArray();
        var output = rvq.ForwardTraining(latent, new CodebookTraining(DeadCodeThreshold: 0), generator);
        Assert.Equal([2L, 3, 5], output.Quantized.Shape);
        Assert.Equal([2L, 2, 5], output.Codes.Shape);
        Assert.True(output.CommitmentLoss.ToDouble() > 0);

        // The forward value is the sum of the chosen codes' vectors, from the codebooks as they were before the EMA update.
        var expected = (Functional.Embedding(before[0], output.Codes.Select(1, 0)) + Functional.Embedding(before[1], output.Codes.Select(1, 1))).Transpose(1, 2);
        CodecTestData.AssertClose(CodecTestData.Values(expected), CodecTestData.Values(output.Quantized));

        output.Quantized.Sum().Backward();
        Assert.All(CodecTestData.Values(latent.Grad!), g => Assert.Equal(1f, g));
    }
}
