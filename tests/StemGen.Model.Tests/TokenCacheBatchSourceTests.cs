using StemGen.Data;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;
using StemGen.Model.Codec;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Tests;

/// <summary>The tiny import and a token cache of it with the stand-in tokenizer, built once for the class.</summary>
public sealed class TinyTokenData : IDisposable
{
    public static readonly TokenCacheSourceOptions Options = new()
    {
        Pairs = new TokenPairOptions { CropFrames = 50, SubmixesPerSegment = 4, SubmixSeed = 3 },
        ValidationPairs = 6,
    };

    public TinyTokenData()
    {
        Manifest = TinyImport.Create(Root);
        Source = TokenCacheBatchSource.Open(Manifest, new TokenCache(CacheRoot, Tokenizer), Tokenizer, Options);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("stemgen-tiny-import-").FullName;
    public string CacheRoot => Path.Combine(Root, "tokens");
    internal FrameStatsTokenizer Tokenizer { get; } = new();
    public ImportManifest Manifest { get; }
    public TokenCacheBatchSource Source { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public class TokenCacheBatchSourceTests(TinyTokenData data) : IClassFixture<TinyTokenData>
{
    private TokenCacheBatchSource Source => data.Source;

    private static long[] Values(Tensor t) => t.ToArray<long>();

    [Fact]
    public void Batches_are_context_target_and_category_tensors_of_the_crop_length()
    {
        using var batch = Source.TrainingBatch(5, 42);
        Assert.Equal(new long[] { 5, 2, 50 }, batch.Context.Shape);
        Assert.Equal(new long[] { 5, 2, 50 }, batch.Target.Shape);
        Assert.Equal(new long[] { 5 }, batch.Category.Shape);
        Assert.All(new[] { batch.Context, batch.Target, batch.Category }, t => Assert.Equal(ScalarType.Int64, t.DType));
        Assert.All(Values(batch.Context).Concat(Values(batch.Target)), code => Assert.InRange(code, 0, FrameStatsTokenizer.CodebookSize - 1));
        var summary = Source.Train.Summary;
        Assert.Equal((2, 7, 8), (summary.Segments, summary.Stems, summary.Submixes));
    }

    [Fact]
    public void A_seed_always_gives_the_same_batch_and_another_seed_another_one()
    {
        using var a = Source.TrainingBatch(6, 7);
        using var b = Source.TrainingBatch(6, 7);
        using var c = Source.TrainingBatch(6, 8);
        Assert.Equal(Values(a.Context), Values(b.Context));
        Assert.Equal(Values(a.Target), Values(b.Target));
        Assert.Equal(Values(a.Category), Values(b.Category));
        Assert.NotEqual(Values(a.Context).Concat(Values(a.Target)), Values(c.Context).Concat(Values(c.Target)));

        // A new source over the same cache (a resumed process) draws the same batch, encoding nothing.
        var calls = data.Tokenizer.Calls;
        var again = TokenCacheBatchSource.Open(data.Manifest, new TokenCache(data.CacheRoot, data.Tokenizer), data.Tokenizer, TinyTokenData.Options);
        Assert.Equal(calls, data.Tokenizer.Calls);
        using var d = again.TrainingBatch(6, 7);
        Assert.Equal(Values(a.Target), Values(d.Target));
        Assert.Equal(Values(a.Context), Values(d.Context));
    }

    [Fact]
    public void Pairs_follow_the_paper_context_without_the_target_active_target_and_its_category()
    {
        var categories = data.Manifest.Tracks.ToDictionary(t => t.Name, t => t.Stems.ToDictionary(s => s.Id, s => s.Category));
        var pairs = Enumerable.Range(0, 200).Select(i => Source.Train.Draw(SeededRandom.Derive(5, i))).ToList();
        Assert.All(pairs, p =>
        {
            Assert.StartsWith("train/", p.Plan.Track);
            Assert.DoesNotContain(p.Plan.Target, p.Plan.Context);
            Assert.NotEmpty(p.Plan.Context);
            Assert.Equal(categories[p.Plan.Track][p.Plan.Target], p.Plan.TargetCategory);
            Assert.InRange((int)p.Plan.TargetCategory, 0, InstrumentCategories.Count - 1);
            Assert.NotEqual("S03", p.Plan.Target); // the silent stem is never a target
            Assert.False(p.Plan.Context is ["S03"] && p.Plan.Track.EndsWith("Track00002"), "a silent context");
            Assert.True(p.Plan.Overlap >= 0.5, $"overlap {p.Plan.Overlap}");
            Assert.NotEqual(p.Context.Cast<short>(), p.Target.Cast<short>());
            Assert.Equal(0, p.Plan.CropStart % (TinyImport.Rate / 50));           // crops start on a token frame
            Assert.Equal(50 * TinyImport.Rate / 50, p.Plan.CropFrames);
        });
        // Both songs, several targets and contexts, and crops all over the segment are drawn.
        Assert.Equal(2, pairs.Select(p => p.Plan.Track).Distinct().Count());
        Assert.True(pairs.Select(p => (p.Plan.Track, p.Plan.Target)).Distinct().Count() >= 5);
        Assert.True(pairs.Select(p => p.Plan.CropStart).Distinct().Count() > 50);

        // The tensors carry the pair's tokens: the same crop the cache cuts from the stem and its submix.
        using var batch = TokenCacheBatchSource.ToBatch(pairs.Take(3).ToList());
        var cache = new TokenCache(data.CacheRoot, data.Tokenizer);
        for (var b = 0; b < 3; b++)
        {
            var plan = pairs[b].Plan;
            Assert.Equal(cache.TargetTokens(data.Manifest, plan).Cast<short>().Select(x => (long)x), Values(batch.Target.Select(0, b)));
            Assert.Equal(cache.ContextTokens(data.Manifest, plan, 4, 3).Cast<short>().Select(x => (long)x), Values(batch.Context.Select(0, b)));
            Assert.Equal((long)plan.TargetCategory, Values(batch.Category)[b]);
        }
    }

    [Fact]
    public void Validation_batches_are_a_fixed_set_from_the_validation_split()
    {
        Assert.Equal(6, Source.ValidationPairs.Count);
        Assert.All(Source.ValidationPairs, p => Assert.StartsWith("validation/", p.Plan.Track));
        List<long[]> Read() => Source.ValidationBatches(4).Select(b => { using (b) return Values(b.Context).Concat(Values(b.Target)).Concat(Values(b.Category)).ToArray(); }).ToList();
        var first = Read();
        var second = Read();
        Assert.Equal(new[] { 4 * (2 * 2 * 50 + 1), 2 * (2 * 2 * 50 + 1) }, first.Select(b => b.Length));  // 6 pairs in batches of 4: 4 + 2
        Assert.Equal(first, second);
        // Training draws never use the validation song.
        Assert.All(Enumerable.Range(0, 50), i => Assert.StartsWith("train/", Source.Train.Draw(SeededRandom.Derive(9, i)).Plan.Track));
    }

    [Fact]
    public void The_identity_is_the_tokenizers_and_a_run_resumes_only_on_the_same_codec()
    {
        Assert.Equal(data.Tokenizer.Identity, Source.CodecIdentity);
        var model = TinyRuns.Model with { CodebookSize = FrameStatsTokenizer.CodebookSize, Categories = InstrumentCategories.Count };
        var training = TinyRuns.Training with { BatchSize = 4, MaxSteps = 2, ValidationInterval = 2 };
        var run = Path.Combine(data.Root, "run-identity");
        using (var trainer = StemGenTrainer.Create(run, model, training, Source, Device.CPU))
        {
            var outcome = trainer.Run();
            Assert.Equal(2, outcome.Step);
            Assert.True(double.IsFinite(outcome.LastValidation!.Loss));
        }
        var otherTokenizer = new FrameStatsTokenizer("frame-stats/v2");
        var other = TokenCacheBatchSource.Open(data.Manifest, new TokenCache(data.CacheRoot, otherTokenizer), otherTokenizer, TinyTokenData.Options);
        Assert.Equal("frame-stats/v2", other.CodecIdentity);
        var error = Assert.Throws<InvalidOperationException>(() => StemGenTrainer.Resume(run, other, Device.CPU));
        Assert.Contains("frame-stats/v1", error.Message);
    }

    [Fact]
    public void With_a_codec_the_identity_is_the_codecs_own()
    {
        using var root = new TempFolder();
        var manifest = TinyImport.Create(root.Path);
        using var codec = new EncodecModel(CodecConfig.Tiny); // 32 kHz: the 16 kHz stems are resampled
        codec.Eval();
        var tokenizer = new CodecTokenizer(codec);
        var options = TinyTokenData.Options with { Pairs = TinyTokenData.Options.Pairs with { SubmixesPerSegment = 1, EncodeSeconds = 2 } };
        var source = TokenCacheBatchSource.Open(manifest, new TokenCache(Path.Combine(root.Path, "tokens"), tokenizer), tokenizer, options);
        Assert.Equal(codec.ComputeIdentity(), source.CodecIdentity);
        Assert.NotEqual(tokenizer.Identity, source.CodecIdentity); // the cache key adds the windowing
        using var batch = source.TrainingBatch(2, 1);
        Assert.Equal(new long[] { 2, codec.Config.Levels, 50 }, batch.Target.Shape);
        Assert.All(Values(batch.Target), code => Assert.InRange(code, 0, codec.Config.CodebookSize - 1));
    }

    [Fact]
    public void A_crop_longer_than_every_segment_is_refused_with_the_reason()
    {
        var options = TinyTokenData.Options with { Pairs = TinyTokenData.Options.Pairs with { CropFrames = 1000 } };
        var error = Assert.Throws<InvalidOperationException>(() =>
            TokenCacheBatchSource.Open(data.Manifest, new TokenCache(data.CacheRoot, data.Tokenizer), data.Tokenizer, options));
        Assert.Contains("1000 token frames", error.Message);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("stemgen-codec-import-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
