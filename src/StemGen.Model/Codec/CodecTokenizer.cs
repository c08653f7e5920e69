using System.Globalization;
using StemGen.Data.Tokens;

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

    public short[,] Encode(float[] mono)
    {
        var codes = model.EncodeMono(mono, windowing);
        var tokens = new short[codes.GetLength(0), codes.GetLength(1)];
        for (var q = 0; q < tokens.GetLength(0); q++)
        for (var t = 0; t < tokens.GetLength(1); t++)
            tokens[q, t] = (short)codes[q, t];
        return tokens;
    }
}
