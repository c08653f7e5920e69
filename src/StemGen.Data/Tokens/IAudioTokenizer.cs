namespace StemGen.Data.Tokens;

/// <summary>
/// What the token cache needs from a codec (EnCodec 32 kHz in StemGen: Q = 4 levels of 2048 codes
/// at 50 Hz). The codec lives in StemGen.Model; this interface keeps StemGen.Data free of libtorch.
/// </summary>
public interface IAudioTokenizer
{
    /// <summary>
    /// Names the codec and everything that changes its tokens (model, weights checksum, levels,
    /// bandwidth), e.g. "encodec_32khz/sha256:ab12.../q4". Cached tokens are keyed by it: a
    /// different identity never reads another codec's tokens.
    /// </summary>
    string Identity { get; }

    /// <summary>Rate the codec reads; audio at another rate is resampled before encoding.</summary>
    int SampleRate { get; }

    /// <summary>Residual quantiser levels Q (tokens per frame).</summary>
    int Levels { get; }

    /// <summary>Token frames per second (50 for EnCodec 32 kHz: one per 640 samples).</summary>
    int FrameRate { get; }

    /// <summary>Encodes mono audio at <see cref="SampleRate"/> into tokens [Q, T], codes 0..32767.</summary>
    short[,] Encode(float[] mono);

    /// <summary>
    /// Encodes several mono clips at once; result i is <see cref="Encode"/> of clip i (a codec may
    /// run clips of equal length as one batch, equal up to float32 rounding). Default: one by one.
    /// </summary>
    IReadOnlyList<short[,]> EncodeBatch(IReadOnlyList<float[]> monos) => monos.Select(Encode).ToList();

    /// <summary>
    /// Intra-op threads for encodes made from the calling thread (the token cache runs one encoder
    /// per core, each on its own thread, with 1). Default: nothing to set.
    /// </summary>
    void UseThreads(int threads) { }
}
