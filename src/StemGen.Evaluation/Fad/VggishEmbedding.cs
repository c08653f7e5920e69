using StemGen.Audio;
using StemGen.Torch;

namespace StemGen.Evaluation.Fad;

/// <summary>
/// VGGish (Hershey et al. 2017) as used for FAD: <see cref="VggishFrontEnd"/> examples [n, 1, 96, 64]
/// through six 3x3 convolutions (padding 1, ReLU) with four 2x2 max pools, flattened in TF order
/// (height, width, channel), then 4096 -> 4096 (ReLU) -> 128. The 128-d output is the raw embedding:
/// no PCA/quantisation post-processing and no final ReLU (docs/evaluation-metrics.md).
/// </summary>
public sealed class VggishEmbedding : IAudioEmbedding, IDisposable
{
    private readonly Dictionary<string, Tensor> weights;
    private readonly Device device;
    private readonly int batchSize;

    /// <summary>Takes ownership of tensors already checked against <see cref="VggishWeights.Expected"/>.</summary>
    internal VggishEmbedding(Dictionary<string, Tensor> weights, Device device, int batchSize = 64)
    {
        this.weights = weights;
        this.device = device;
        this.batchSize = batchSize;
    }

    /// <summary>Loads the public VGGish weights (safetensors, torchvggish names; see <see cref="VggishWeights"/>).</summary>
    public static VggishEmbedding Load(string path, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return new VggishEmbedding(VggishWeights.Load(path, d), d);
    }

    public string Name => "vggish";
    public string Description => "VGGish (AudioSet) 128-d embedding per 0.96 s at 16 kHz, no PCA; the paper's FAD";
    public int Dimension => 128;

    public IReadOnlyList<float[]> Embed(AudioBuffer audio) => EmbedExamples(VggishFrontEnd.Examples(audio));

    /// <summary>Embeddings of front-end examples (each 96 x 64 log-mel values, frame-major).</summary>
    public IReadOnlyList<float[]> EmbedExamples(IReadOnlyList<float[]> examples)
    {
        var result = new List<float[]>(examples.Count);
        using var noGrad = TorchRuntime.NoGrad();
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            using var scope = TorchRuntime.NewDisposeScope();
            var count = Math.Min(batchSize, examples.Count - start);
            var flat = new float[count * VggishFrontEnd.ExampleFrames * VggishFrontEnd.MelBands];
            for (var i = 0; i < count; i++) examples[start + i].CopyTo(flat, i * VggishFrontEnd.ExampleFrames * VggishFrontEnd.MelBands);
            var x = Tensor.FromArray(flat, count, 1, VggishFrontEnd.ExampleFrames, VggishFrontEnd.MelBands).To(device);
            var y = Forward(x).To(Device.CPU).ToArray<float>();
            for (var i = 0; i < count; i++) result.Add(y.AsSpan(i * Dimension, Dimension).ToArray());
        }
        return result;
    }

    /// <summary>The network on [B, 1, 96, 64] -> [B, 128].</summary>
    internal Tensor Forward(Tensor x)
    {
        foreach (var layer in VggishWeights.ConvLayers)
        {
            x = Functional.Conv2d(x, weights[$"features.{layer}.weight"], weights[$"features.{layer}.bias"], padding: (1, 1)).Relu();
            if (VggishWeights.PoolAfter.Contains(layer)) x = Functional.MaxPool2d(x, (2, 2));
        }
        // [B, 512, 6, 4] -> [B, 6, 4, 512]: TF flattens height, width, channel.
        x = x.Permute(0, 2, 3, 1).Contiguous().Flatten(1);
        var fc = VggishWeights.FullyConnectedLayers;
        for (var i = 0; i < fc.Count; i++)
        {
            x = Functional.Linear(x, weights[$"embeddings.{fc[i]}.weight"], weights[$"embeddings.{fc[i]}.bias"]);
            if (i < fc.Count - 1) x = x.Relu();
        }
        return x;
    }

    public void Dispose()
    {
        foreach (var t in weights.Values) t.Dispose();
        weights.Clear();
    }
}
