using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model.Codec;
using StemGen.Model.Training;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Events;
using StemGen.Web.Tasks;

namespace StemGen.Web.Training;

/// <summary>
/// What a training run reads: its import's token cache as a <see cref="TokenCacheBatchSource"/> (with the fixed
/// validation pairs), through the codec it was launched with. Shared by the training job and the listening check,
/// so the check validates on exactly the run's pairs. Keeps the codec open as long as the source is used.
/// </summary>
public sealed class RunData : IDisposable
{
    private readonly EncodecModel codec;

    private RunData(EncodecModel codec, TokenCacheBatchSource source) => (this.codec, Source) = (codec, source);

    public TokenCacheBatchSource Source { get; }
    public CodecConfig CodecConfig => codec.Config;

    public static RunData Open(TrainingRun run, DatasetPaths paths, DatasetService datasets, Action<string> setPhase, CancellationToken stop)
    {
        var dataset = paths.Resolve(run.Dataset);
        var manifest = ImportManifest.Load(Path.Combine(dataset, ImportManifest.FileName));
        var codecPath = datasets.Codecs().FirstOrDefault(c => c.Name == run.Codec)?.Path
            ?? throw new StudioValidationException($"the codec '{run.Codec}' is no longer available");
        var codec = EncodecModel.Load(codecPath);
        try
        {
            codec.Eval();
            var tokenizer = new CodecTokenizer(codec);
            if (run.CodecIdentity is { } expected && tokenizer.CodecIdentity != expected)
                throw new StudioValidationException($"{run.Codec} is now codec {tokenizer.CodecIdentity}, but the run was launched with {expected}");
            var cache = new TokenCache(Path.Combine(dataset, "tokens"), tokenizer);
            var source = TokenCacheBatchSource.Open(manifest, cache, tokenizer, new TokenCacheSourceOptions
            {
                Pairs = new TokenPairOptions { CropFrames = run.SeqFrames, SubmixesPerSegment = 4, SubmixSeed = 1, EncodeSeconds = run.EncodeSeconds },
                ValidationPairs = 16,
                Jobs = 1,
            }, new InlineProgress<TokenSourceProgress>(p => setPhase($"reading tokens: {p.Split} {p.Cache.SegmentsDone} of {p.Cache.SegmentsTotal} segments")), stop);
            stop.ThrowIfCancellationRequested();
            return new RunData(codec, source);
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    public void Dispose() => codec.Dispose();
}
