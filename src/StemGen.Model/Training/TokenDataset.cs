using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model.Codec;

namespace StemGen.Model.Training;

/// <summary>
/// An import, a codec and the token cache of that codec, opened for training: what `stemgen train` / `stemgen tokens`
/// and the studio's training runs read. Owns the codec (the tokenizer encodes what the cache lacks with it).
/// </summary>
public sealed class TokenDataset(ImportManifest manifest, EncodecModel codec, CodecTokenizer tokenizer, TokenCache cache) : IDisposable
{
    public ImportManifest Manifest { get; } = manifest;
    public EncodecModel Codec { get; } = codec;
    public CodecTokenizer Tokenizer { get; } = tokenizer;
    public TokenCache Cache { get; } = cache;

    /// <summary>The default cache: a "tokens" folder inside the import.</summary>
    public static string DefaultCache(string data) => Path.Combine(data, "tokens");

    /// <summary>Opens the import in <paramref name="data"/> (its manifest.json) with the codec at <paramref name="codecPath"/>.</summary>
    public static TokenDataset Open(string data, string codecPath, string? cacheRoot = null)
    {
        var manifest = ImportManifest.Load(Path.Combine(data, ImportManifest.FileName));
        var codec = EncodecModel.Load(codecPath);
        try
        {
            codec.Eval();
            var tokenizer = new CodecTokenizer(codec);
            return new TokenDataset(manifest, codec, tokenizer, new TokenCache(cacheRoot ?? DefaultCache(data), tokenizer));
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    /// <summary>The training and validation pairs as <paramref name="settings"/> say, encoding what the cache lacks.</summary>
    public TokenCacheBatchSource OpenSource(TrainingDataSettings settings, int jobs = 1, IProgress<TokenSourceProgress>? progress = null, CancellationToken cancellationToken = default) =>
        TokenCacheBatchSource.Open(Manifest, Cache, Tokenizer, settings.SourceOptions(jobs), progress, cancellationToken);

    public void Dispose() => Codec.Dispose();
}
