using StemGen.Data.Slakh;
using StemGen.Data.Tokens;

namespace StemGen.Data.Tests;

public class TokenCacheBuildTests(ImportedFixture fixture) : IClassFixture<ImportedFixture>
{
    private ImportManifest Manifest => fixture.Manifest;

    private static readonly TokenPairOptions Options = new() { CropFrames = 20, SubmixesPerSegment = 3, SubmixSeed = 5 };

    [Theory]
    [InlineData(0.0, 16000)]   // whole segments at the import rate
    [InlineData(1.0, 8000)]    // 1 s heads, resampled to the codec rate
    public void The_pipelined_build_writes_the_same_files_as_the_one_by_one_build(double encodeSeconds, int codecRate)
    {
        using var oneByOne = new TempDirectory();
        using var pipelined = new TempDirectory();
        var options = Options with { EncodeSeconds = encodeSeconds };
        var reference = new TestTokenizer(sampleRate: codecRate);
        var before = TokenPairSet.Load(Manifest, "train", new TokenCache(oneByOne.Path, reference), reference, options, jobs: 2, build: TokenCacheBuildOptions.OneByOne);
        var tokenizer = new TestTokenizer(sampleRate: codecRate);
        var after = TokenPairSet.Load(Manifest, "train", new TokenCache(pipelined.Path, tokenizer), tokenizer, options,
            build: new TokenCacheBuildOptions { Batch = 3, ReadAhead = 1, Encoders = 2 });

        var files = Files(oneByOne.Path);
        Assert.Contains(files, f => f.EndsWith(TokenFile.Extension, StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("submixes.json", StringComparison.Ordinal));
        Assert.Equal(files, Files(pipelined.Path));
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(oneByOne.Path, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(pipelined.Path, file))), file);
        Assert.Equal(before.Summary, after.Summary);
        Assert.Equal(after.Summary.TokensEncoded, tokenizer.Calls);   // every file encoded once, none read back as "encoded"
    }

    [Fact]
    public void A_second_pipelined_build_reads_every_file_from_the_cache()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var first = TokenPairSet.Load(Manifest, "train", new TokenCache(root.Path, tokenizer), tokenizer, Options);
        var calls = tokenizer.Calls;
        var reports = new List<TokenCacheProgress>();
        var second = TokenPairSet.Load(Manifest, "train", new TokenCache(root.Path, tokenizer), tokenizer, Options,
            progress: new InlineProgress<TokenCacheProgress>(reports.Add));

        Assert.True(first.Summary.TokensEncoded > 0);
        Assert.Equal(calls, tokenizer.Calls);
        Assert.Equal((0L, first.Summary.TokensEncoded), (second.Summary.TokensEncoded, second.Summary.TokensFromCache));
        Assert.Equal(Enumerable.Range(1, reports.Count), reports.Select(r => r.SegmentsDone));
        Assert.Equal(first.Summary.TokensEncoded, reports[^1].Hits);
    }

    [Fact]
    public void Cancelling_stops_the_pipelined_build_after_the_segment_in_hand()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        using var cancel = new CancellationTokenSource();
        var segments = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => TokenPairSet.Load(Manifest, "train", new TokenCache(root.Path, tokenizer), tokenizer, Options,
            progress: new InlineProgress<TokenCacheProgress>(p =>
            {
                segments = p.SegmentsDone;
                cancel.Cancel();
            }), cancellationToken: cancel.Token, build: new TokenCacheBuildOptions { Batch = 2, Encoders = 1 }));

        Assert.Equal(1, segments);
        var written = Directory.EnumerateFiles(root.Path, "*" + TokenFile.Extension, SearchOption.AllDirectories).Count();
        var perSegment = Manifest.Split("train").First().Segments[0].Stems.Count + Options.SubmixesPerSegment;
        Assert.Equal(written, tokenizer.Calls);
        Assert.InRange(written, 1, perSegment + 1);   // the first segment, at most one batch of the next
    }

    [Fact]
    public void A_failing_encoder_stops_the_build_with_its_error()
    {
        using var root = new TempDirectory();
        var tokenizer = new FailingTokenizer();
        var error = Assert.Throws<InvalidOperationException>(() => TokenPairSet.Load(Manifest, "train", new TokenCache(root.Path, tokenizer), tokenizer, Options,
            build: new TokenCacheBuildOptions { Encoders = 2 }));
        Assert.Contains("negative code", error.Message);
    }

    private sealed class FailingTokenizer : IAudioTokenizer
    {
        public string Identity => "failing/v1";
        public int SampleRate => 16000;
        public int Levels => 2;
        public int FrameRate => 50;
        public short[,] Encode(float[] mono) => new short[2, 1] { { 0 }, { -1 } };
    }

    [Fact]
    public void Bad_build_options_are_refused()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options, build: new TokenCacheBuildOptions { Batch = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options, build: new TokenCacheBuildOptions { ReadAhead = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options, build: new TokenCacheBuildOptions { Encoders = 0 }));
    }

    private static List<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToList();
}
