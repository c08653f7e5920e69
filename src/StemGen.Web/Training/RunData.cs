using StemGen.Data.Tokens;
using StemGen.Model;
using StemGen.Model.Codec;
using StemGen.Model.Training;
using StemGen.Web.Data;
using StemGen.Web.Datasets;

namespace StemGen.Web.Training;

/// <summary>
/// What a training run reads: its import's token cache through the codec it was launched with, opened as `stemgen train`
/// opens it (<see cref="TokenDataset"/>, <see cref="TrainingDataSettings"/> in the run's data.json). Shared by the training
/// job and the listening check, so the check validates on exactly the run's pairs. Keeps the codec open as long as the source is used.
/// </summary>
public sealed class RunData : IDisposable
{
    /// <summary>Runs started before the studio kept data.json drew 16 validation pairs; they keep them when resumed.</summary>
    private const int LegacyValidationPairs = 16;

    private readonly TokenDataset data;

    private RunData(TokenDataset data, TokenCacheBatchSource source) => (this.data, Source) = (data, source);

    public TokenCacheBatchSource Source { get; }
    public CodecConfig CodecConfig => data.Codec.Config;

    public static RunData Open(TrainingRun run, string folder, DatasetPaths paths, DatasetService datasets, Action<string> setPhase, CancellationToken stop)
    {
        var codecPath = datasets.Codecs().FirstOrDefault(c => c.Name == run.Codec)?.Path
            ?? throw new StudioValidationException($"the codec '{run.Codec}' is no longer available");
        var data = TokenDataset.Open(paths.Resolve(run.Dataset), codecPath);
        try
        {
            if (run.CodecIdentity is { } expected && data.Tokenizer.CodecIdentity != expected)
                throw new StudioValidationException($"{run.Codec} is now codec {data.Tokenizer.CodecIdentity}, but the run was launched with {expected}");
            var settings = TrainingDataSettings.Read(folder);
            if (settings is null)
            {
                settings = new TrainingDataSettings(run.SeqFrames, EncodeSeconds: run.EncodeSeconds);
                if (StemGenTrainer.HasCheckpoint(folder)) settings = settings with { ValidationPairs = LegacyValidationPairs };
                Directory.CreateDirectory(folder);
                settings.Write(folder);
            }
            var source = data.OpenSource(settings, jobs: 1,
                new InlineProgress<TokenSourceProgress>(p => setPhase($"reading tokens: {p.Split} {p.Cache.SegmentsDone} of {p.Cache.SegmentsTotal} segments")), stop);
            stop.ThrowIfCancellationRequested();
            return new RunData(data, source);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public void Dispose() => data.Dispose();
}
