namespace StemGen.Torch.Modules;

// The standard layers, with PyTorch's parameter names and default initialisation so that
// checkpoints from PyTorch load by name.

internal static class Init
{
    /// <summary>U(-1/sqrt(fanIn), 1/sqrt(fanIn)), PyTorch's default for linear, conv and LSTM weights.</summary>
    public static Tensor Uniform(long[] shape, long fanIn, Device? device)
    {
        var bound = 1.0 / Math.Sqrt(Math.Max(1, fanIn));
        return Tensors.Empty(shape, device: device).UniformInPlace(-bound, bound);
    }
}

/// <summary>y = x W^T + b.</summary>
public sealed class Linear : Module
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Linear(long inFeatures, long outFeatures, bool bias = true, Device? device = null)
    {
        Weight = RegisterParameter("weight", Init.Uniform([outFeatures, inFeatures], inFeatures, device));
        if (bias) Bias = RegisterParameter("bias", Init.Uniform([outFeatures], inFeatures, device));
    }

    public Tensor Forward(Tensor x) => Functional.Linear(x, Weight, Bias);
}

/// <summary>A lookup table of vectors, initialised N(0, 1).</summary>
public sealed class Embedding : Module
{
    public Tensor Weight { get; }

    public Embedding(long count, long dim, Device? device = null)
    {
        Weight = RegisterParameter("weight", Tensors.Randn([count, dim], device: device));
    }

    public Tensor Forward(Tensor indices) => Functional.Embedding(Weight, indices);
}

/// <summary>1-d convolution over (B, Cin, L).</summary>
public sealed class Conv1d : Module
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Dilation { get; }
    public long Groups { get; }

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool bias = true, Device? device = null)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"channels ({inChannels} in, {outChannels} out) must be divisible by groups ({groups})");
        (Stride, Padding, Dilation, Groups) = (stride, padding, dilation, groups);
        var fanIn = inChannels / groups * kernelSize;
        Weight = RegisterParameter("weight", Init.Uniform([outChannels, inChannels / groups, kernelSize], fanIn, device));
        if (bias) Bias = RegisterParameter("bias", Init.Uniform([outChannels], fanIn, device));
    }

    public Tensor Forward(Tensor x) => Functional.Conv1d(x, Weight, Bias, Stride, Padding, Dilation, Groups);
}

/// <summary>Transposed 1-d convolution over (B, Cin, L); weight (Cin, Cout/groups, K) as PyTorch.</summary>
public sealed class ConvTranspose1d : Module
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long OutputPadding { get; }
    public long Groups { get; }
    public long Dilation { get; }

    public ConvTranspose1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long outputPadding = 0, long groups = 1, long dilation = 1, bool bias = true, Device? device = null)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"channels ({inChannels} in, {outChannels} out) must be divisible by groups ({groups})");
        (Stride, Padding, OutputPadding, Groups, Dilation) = (stride, padding, outputPadding, groups, dilation);
        var fanIn = outChannels / groups * kernelSize;
        Weight = RegisterParameter("weight", Init.Uniform([inChannels, outChannels / groups, kernelSize], fanIn, device));
        if (bias) Bias = RegisterParameter("bias", Init.Uniform([outChannels], fanIn, device));
    }

    public Tensor Forward(Tensor x) => Functional.ConvTranspose1d(x, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
}

/// <summary>Multi-layer LSTM with PyTorch's tensor names (weight_ih_l0, ...); gate order i, f, g, o.</summary>
public sealed class Lstm : Module
{
    private readonly List<Tensor> weights = [];

    public long InputSize { get; }
    public long HiddenSize { get; }
    public long Layers { get; }
    public bool HasBiases { get; }
    public bool BatchFirst { get; }
    public double DropoutProbability { get; }

    public Lstm(long inputSize, long hiddenSize, long layers = 1, bool bias = true, bool batchFirst = false, double dropout = 0, Device? device = null)
    {
        (InputSize, HiddenSize, Layers, HasBiases, BatchFirst, DropoutProbability) = (inputSize, hiddenSize, layers, bias, batchFirst, dropout);
        for (var l = 0; l < layers; l++)
        {
            var input = l == 0 ? inputSize : hiddenSize;
            weights.Add(RegisterParameter($"weight_ih_l{l}", Init.Uniform([4 * hiddenSize, input], hiddenSize, device)));
            weights.Add(RegisterParameter($"weight_hh_l{l}", Init.Uniform([4 * hiddenSize, hiddenSize], hiddenSize, device)));
            if (!bias) continue;
            weights.Add(RegisterParameter($"bias_ih_l{l}", Init.Uniform([4 * hiddenSize], hiddenSize, device)));
            weights.Add(RegisterParameter($"bias_hh_l{l}", Init.Uniform([4 * hiddenSize], hiddenSize, device)));
        }
    }

    /// <summary>Input (T, B, I), or (B, T, I) when batch-first; returns output and final (h, c), each (L, B, H).</summary>
    public (Tensor Output, Tensor Hidden, Tensor Cell) Forward(Tensor x, Tensor? h0 = null, Tensor? c0 = null) =>
        Functional.Lstm(x, weights, Layers, HasBiases, h0, c0, DropoutProbability, Training, BatchFirst);
}

/// <summary>Layer normalisation over the last dimension.</summary>
public sealed class LayerNorm : Module
{
    private readonly long dim;
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public double Eps { get; }

    public LayerNorm(long dim, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null)
    {
        (this.dim, Eps) = (dim, eps);
        if (!elementwiseAffine) return;
        Weight = RegisterParameter("weight", Tensors.Ones([dim], device: device));
        Bias = RegisterParameter("bias", Tensors.Zeros([dim], device: device));
    }

    public Tensor Forward(Tensor x) => Functional.LayerNorm(x, [dim], Weight, Bias, Eps);
}

/// <summary>RMSNorm (LLaMA): x * rsqrt(mean(x^2) + eps) * weight, in float32.</summary>
public sealed class RmsNorm : Module
{
    public Tensor Weight { get; }
    public double Eps { get; }

    public RmsNorm(long dim, double eps = 1e-5, Device? device = null)
    {
        Eps = eps;
        Weight = RegisterParameter("weight", Tensors.Ones([dim], device: device));
    }

    public Tensor Forward(Tensor x) => Functional.RmsNorm(x, Weight, Eps);
}

/// <summary>Zeroes elements with probability p while training (scaling the rest by 1/(1-p)).</summary>
public sealed class Dropout(double p) : Module
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");

    public Tensor Forward(Tensor x) => Functional.Dropout(x, P, Training);
}

/// <summary>An indexed list of submodules, registered as "0", "1", ...</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = [];

    public ModuleList(IEnumerable<T> modules)
    {
        foreach (var m in modules) Add(m);
    }

    public void Add(T module) => items.Add(RegisterModule(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module));

    public T this[int index] => items[index];
    public int Count => items.Count;
    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
