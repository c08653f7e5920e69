using StemGen.Torch;
using StemGen.Torch.Modules;

namespace StemGen.Model.Codec;

/// <summary>
/// SEANet residual block: ELU, conv k dim -> dim/compress (dilated), ELU, conv 1 dim/compress -> dim,
/// plus the shortcut (identity, or a 1x1 conv when configured). Convs at `block.1` and `block.3`.
/// </summary>
public sealed class SeanetResidualBlock : SeanetLayer
{
    private readonly ModuleList<SeanetLayer> block;
    private readonly NonCausalConv1d? shortcut;

    public SeanetResidualBlock(CodecConfig config, long dim, long dilation)
    {
        var hidden = dim / config.Compress;
        block = RegisterModule("block", new ModuleList<SeanetLayer>(
        [
            new EluLayer(),
            new NonCausalConv1d(dim, hidden, config.ResidualKernel, dilation: dilation, padMode: config.PadMode),
            new EluLayer(),
            new NonCausalConv1d(hidden, dim, 1, padMode: config.PadMode),
        ]));
        if (config.ConvShortcut) shortcut = RegisterModule("shortcut", new NonCausalConv1d(dim, dim, 1, padMode: config.PadMode));
    }

    public override Tensor Forward(Tensor x)
    {
        using var h = Sequential(block, x);
        if (shortcut is null) return x + h;
        using var s = shortcut.Forward(x);
        return s + h;
    }
}

/// <summary>Multi-layer LSTM over time with a skip: y = lstm(x) + x, on (B, C, T). Weights at `lstm.weight_ih_l0`, ...</summary>
public sealed class SeanetLstm : SeanetLayer
{
    public SeanetLstm(long dim, long layers)
    {
        Lstm = RegisterModule("lstm", new Lstm(dim, dim, layers));
    }

    public Lstm Lstm { get; }

    public override Tensor Forward(Tensor x)
    {
        using var sequence = x.Permute(2, 0, 1); // (T, B, C)
        var (output, hidden, cell) = Lstm.Forward(sequence);
        hidden.Dispose();
        cell.Dispose();
        using (output)
        {
            using var sum = output + sequence;
            return sum.Permute(1, 2, 0); // (B, C, T)
        }
    }
}

/// <summary>
/// SEANet encoder, HF layout `encoder.layers.{i}`: conv(k first) ; per ratio (reversed):
/// residual blocks, ELU, down-sampling conv (k 2r, stride r, channels x2) ; [LSTM] ; ELU ;
/// conv(k last) to the latent. (B, Channels, L) -> (B, LatentDim, ceil(L / hop)).
/// </summary>
public sealed class SeanetEncoder : Module
{
    private readonly ModuleList<SeanetLayer> layers;

    public SeanetEncoder(CodecConfig config)
    {
        var list = new List<SeanetLayer> { new NonCausalConv1d(config.Channels, config.BaseFilters, config.FirstKernel, padMode: config.PadMode) };
        long dim = config.BaseFilters;
        foreach (var ratio in config.Ratios.Reverse())
        {
            for (var j = 0; j < config.ResidualLayers; j++)
                list.Add(new SeanetResidualBlock(config, dim, (long)Math.Pow(config.DilationGrowth, j)));
            list.Add(new EluLayer());
            list.Add(new NonCausalConv1d(dim, dim * 2, ratio * 2, stride: ratio, padMode: config.PadMode));
            dim *= 2;
        }
        if (config.LstmLayers > 0) list.Add(new SeanetLstm(dim, config.LstmLayers));
        list.Add(new EluLayer());
        list.Add(new NonCausalConv1d(dim, config.LatentDim, config.LastKernel, padMode: config.PadMode));
        layers = RegisterModule("layers", new ModuleList<SeanetLayer>(list));
    }

    public IReadOnlyList<SeanetLayer> Layers => layers;

    public Tensor Forward(Tensor audio) => SeanetLayer.Sequential(layers, audio);
}

/// <summary>
/// SEANet decoder, HF layout `decoder.layers.{i}`: conv(k first) latent -> bottleneck ; [LSTM] ;
/// per ratio: ELU, transposed conv (k 2r, stride r, channels /2), residual blocks ; ELU ;
/// conv(k last) to audio. (B, LatentDim, T) -> (B, Channels, T * hop). No final activation.
/// </summary>
public sealed class SeanetDecoder : Module
{
    private readonly ModuleList<SeanetLayer> layers;

    public SeanetDecoder(CodecConfig config)
    {
        long dim = config.BottleneckChannels;
        var list = new List<SeanetLayer> { new NonCausalConv1d(config.LatentDim, dim, config.FirstKernel, padMode: config.PadMode) };
        if (config.LstmLayers > 0) list.Add(new SeanetLstm(dim, config.LstmLayers));
        foreach (var ratio in config.Ratios)
        {
            list.Add(new EluLayer());
            list.Add(new NonCausalConvTranspose1d(dim, dim / 2, ratio * 2, ratio));
            dim /= 2;
            for (var j = 0; j < config.ResidualLayers; j++)
                list.Add(new SeanetResidualBlock(config, dim, (long)Math.Pow(config.DilationGrowth, j)));
        }
        list.Add(new EluLayer());
        list.Add(new NonCausalConv1d(dim, config.Channels, config.LastKernel, padMode: config.PadMode));
        layers = RegisterModule("layers", new ModuleList<SeanetLayer>(list));
    }

    public IReadOnlyList<SeanetLayer> Layers => layers;

    public Tensor Forward(Tensor latent) => SeanetLayer.Sequential(layers, latent);
}
