using System.Globalization;
using StemGen.Data.Tokens;
using StemGen.Torch;

namespace StemGen.Model.Codec;

/// <summary>
/// An <see cref="EncodecModel"/> as the data layer's tokenizer, so the token cache stores real
/// codec tokens. The identity covers the weights and the windowing, since both change tokens.
/// </summary>
public sealed class CodecTokenizer : IAudioTokenizer
{
    private readonly EncodecModel model;
    private readonly CodecWindowing windowing;

    public CodecTokenizer(EncodecModel model, CodecWindowing? windowing = null)
    {
        var frameRate = model.Config.FrameRate;
        if (frameRate != Math.Round(frameRate))
            throw new ArgumentException($"the token cache needs a whole number of frames per second; this codec has {frameRate}", nameof(model));
        if (model.Config.CodebookSize > short.MaxValue + 1)
            throw new ArgumentException($"codebooks of {model.Config.CodebookSize} entries do not fit the cache's 16-bit tokens", nameof(model));
        this.model = model;
        this.windowing = (windowing ?? CodecWindowing.Default).Validate();
        FrameRate = (int)frameRate;
        CodecIdentity = model.ComputeIdentity();
        Identity = string.Create(CultureInfo.InvariantCulture,
            $"{CodecIdentity}/q{model.Config.Levels}/w{this.windowing.WindowFrames}-{this.windowing.ContextFrames}-{this.windowing.CrossfadeFrames}");
    }

    /// <summary>The token cache's key: the codec's identity plus the levels and windowing used to encode.</summary>
    public string Identity { get; }

    /// <summary>The codec's own identity (<see cref="EncodecModel.ComputeIdentity"/>), which trained models record.</summary>
    public string CodecIdentity { get; }

    public int SampleRate => model.Config.SampleRate;
    public int Levels => model.Config.Levels;
    public int FrameRate { get; }

    public short[,] Encode(float[] mono) => EncodeBatch([mono])[0];

    /// <summary>libtorch's OpenMP thread count is per calling thread: this sets the caller's.</summary>
    public void UseThreads(int threads) => TorchRuntime.Threads = threads;

    /// <summary>Clips of equal length go through the codec together, as one (B, 1, L) forward per window.</summary>
    public IReadOnlyList<short[,]> EncodeBatch(IReadOnlyList<float[]> monos)
    {
        ArgumentNullException.ThrowIfNull(monos);
        if (model.Config.Channels != 1) throw new InvalidOperationException($"this codec has {model.Config.Channels} channels, not 1");
        var result = new short[monos.Count][,];
        foreach (var group in Enumerable.Range(0, monos.Count).GroupBy(i => monos[i].Length))
        {
            var indices = group.ToList();
            var length = group.Key;
            using var scope = TorchRuntime.NewDisposeScope();
            var flat = new float[(long)indices.Count * length];
            for (var b = 0; b < indices.Count; b++) monos[indices[b]].CopyTo(flat, (long)b * length);
            var codes = model.EncodeLong(Tensor.FromSpan<float>(flat, [indices.Count, 1, length]), windowing); // (B, Q, T)
            var (q, t) = ((int)codes.Size(1), (int)codes.Size(2));
            var all = new long[indices.Count * q * t];
            if (all.Length > 0) codes.CopyTo<long>(all);
            for (var b = 0; b < indices.Count; b++)
            {
                var tokens = new short[q, t];
                for (var level = 0; level < q; level++)
                    for (var frame = 0; frame < t; frame++)
                        tokens[level, frame] = (short)all[((long)b * q + level) * t + frame];
                result[indices[b]] = tokens;
            }
        }
        return result;
    }
}
