using StemGen.Data.Slakh;
using StemGen.Data.Tokens;

namespace StemGen.Data.Tests;

public class TokenPairSetTests(ImportedFixture fixture) : IClassFixture<ImportedFixture>
{
    private ImportManifest Manifest => fixture.Manifest;

    private static readonly TokenPairOptions Options = new() { CropFrames = 20, SubmixesPerSegment = 2, SubmixSeed = 5 };

    [Fact]
    public void A_head_only_encode_is_shorter_cached_apart_and_read_back()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var (track, segment) = (Manifest.Tracks[0], Manifest.Tracks[0].Segments[0]);
        var head = cache.Stem(Manifest, track, segment, "S00", headSamples: Manifest.SampleRate / 2);  // 0.5 s
        var whole = cache.Stem(Manifest, track, segment, "S00");
        Assert.Equal((25, 100), (head.GetLength(1), whole.GetLength(1)));
        Assert.Equal(2, tokenizer.Calls);
        Assert.Equal(head, cache.Stem(Manifest, track, segment, "S00", headSamples: Manifest.SampleRate / 2));
        Assert.Equal(2, tokenizer.Calls);
        // The head's tokens are the whole encode's first frames (this stand-in codec sees one frame at a time).
        for (var t = 0; t < 25; t++) Assert.Equal(whole[1, t], head[1, t]);
    }

    [Fact]
    public void Pairs_are_cut_from_memory_and_activity_is_kept_and_rebuilt_when_damaged()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var set = TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options with { EncodeSeconds = 1 });
        var calls = tokenizer.Calls;
        Assert.True(set.SegmentCount > 0);
        for (var i = 0; i < 50; i++)
        {
            var pair = set.Draw(SeededRandom.Derive(2, i));
            Assert.Equal((2, 20), (pair.Target.GetLength(0), pair.Target.GetLength(1)));
            Assert.Equal((2, 20), (pair.Context.GetLength(0), pair.Context.GetLength(1)));
            Assert.InRange(pair.Plan.CropStart, 0, (50 - 20) * Manifest.SampleRate / 50);              // inside the 1 s head
            Assert.DoesNotContain(pair.Plan.Target, pair.Plan.Context);
            Assert.NotNull(pair.Plan.Submix);
        }
        Assert.Equal(calls, tokenizer.Calls); // draws never encode

        var files = Directory.GetFiles(Path.Combine(root.Path, "activity"), "*.json", SearchOption.AllDirectories);
        Assert.Equal(set.SegmentCount + set.Summary.SegmentsTooShort, files.Length);
        File.WriteAllText(files[0], "{ not json");
        var again = TokenPairSet.Load(Manifest, "train", new TokenCache(root.Path, tokenizer), tokenizer, Options with { EncodeSeconds = 1 });
        Assert.Equal(calls, tokenizer.Calls); // tokens came from the cache
        Assert.StartsWith("{\"Version\"", File.ReadAllText(files[0]));
        var (a, b) = (set.Draw(SeededRandom.Derive(3, 0)), again.Draw(SeededRandom.Derive(3, 0)));
        Assert.Equal(a.Plan, b.Plan with { Context = a.Plan.Context });
        Assert.Equal(a.Plan.Context, b.Plan.Context);
        Assert.Equal(a.Target, b.Target);
    }

    [Fact]
    public void Shards_split_the_segments_between_them()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var all = TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options);
        var first = TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options, shard: 0, shards: 2);
        var second = TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options, shard: 1, shards: 2);
        Assert.Equal(all.SegmentCount, first.SegmentCount + second.SegmentCount);
        Assert.True(first.SegmentCount > 0 && second.SegmentCount > 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options, shard: 2, shards: 2));
    }

    [Fact]
    public void Bad_options_and_an_impossible_crop_are_refused()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        Assert.Throws<ArgumentException>(() => TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options with { SubmixesPerSegment = 0 }));
        Assert.Throws<ArgumentException>(() => TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options with { EncodeSeconds = -1 }));
        var error = Assert.Throws<InvalidOperationException>(() => TokenPairSet.Load(Manifest, "train", cache, tokenizer, Options with { CropFrames = 5000 }));
        Assert.Contains("5000 token frames", error.Message);
    }
}
