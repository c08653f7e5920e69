using StemGen.Data.Slakh;
using StemGen.Data.Tokens;

namespace StemGen.Data.Tests;

public class TokenCachePackTests(ImportedFixture fixture) : IClassFixture<ImportedFixture>
{
    private static readonly TokenPairOptions Options = new() { CropFrames = 20, SubmixesPerSegment = 2, SubmixSeed = 5 };

    private static readonly string[] Splits = ["train", "validation"];

    [Fact]
    public void A_packed_cache_gives_the_same_pairs_without_the_audio_and_without_encoding()
    {
        using var root = new TempDirectory();
        using var packed = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var splits = Splits.Where(s => fixture.Manifest.Split(s).Any()).ToList();
        var sets = splits.ToDictionary(s => s, s => TokenPairSet.Load(fixture.Manifest, s, cache, tokenizer, Options));
        var calls = tokenizer.Calls;

        var result = cache.Pack(fixture.Manifest, packed["out"], maxBytes: 1 << 30);
        Assert.Equal(fixture.Manifest.Split("train").Count(), result.TrainTracks);
        Assert.Equal(0, result.TracksLeftOut);
        Assert.Empty(Directory.EnumerateFiles(packed["out"], "*.flac", SearchOption.AllDirectories));

        var manifest = ImportManifest.Load(packed["out/manifest.json"]);
        var reopened = new TokenCache(packed["out/tokens"], tokenizer);
        foreach (var split in splits)
        {
            var again = TokenPairSet.Load(manifest, split, reopened, tokenizer, Options);
            for (var i = 0; i < 20; i++)
            {
                var (a, b) = (sets[split].Draw(SeededRandom.Derive(4, i)), again.Draw(SeededRandom.Derive(4, i)));
                Assert.Equal(a.Plan, b.Plan with { Context = a.Plan.Context });
                Assert.Equal(a.Plan.Context, b.Plan.Context);
                Assert.Equal(a.Target, b.Target);
                Assert.Equal(a.Context, b.Context);
            }
        }
        Assert.Equal(calls, tokenizer.Calls);
    }

    [Fact]
    public void Train_tracks_that_do_not_fit_are_left_out_and_a_pack_with_none_is_refused()
    {
        using var root = new TempDirectory();
        using var packed = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        foreach (var split in Splits.Where(s => fixture.Manifest.Split(s).Any()))
            TokenPairSet.Load(fixture.Manifest, split, cache, tokenizer, Options);
        var error = Assert.Throws<InvalidOperationException>(() => cache.Pack(fixture.Manifest, packed["none"], maxBytes: 1));
        Assert.Contains("not one train track fits", error.Message);

        var trackBytes = Directory.EnumerateFiles(Path.Combine(cache.Directory, "train"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var result = cache.Pack(fixture.Manifest, packed["some"], maxBytes: trackBytes * 2);
        Assert.True(result.Bytes <= trackBytes * 2);
        Assert.Equal(fixture.Manifest.Split("train").Count(), result.TrainTracks + result.TracksLeftOut);

        Assert.Throws<IOException>(() => cache.Pack(fixture.Manifest, packed["some"], maxBytes: 1 << 30));
    }

    [Fact]
    public void Packing_tracks_that_were_never_encoded_is_refused()
    {
        using var root = new TempDirectory();
        using var packed = new TempDirectory();
        var cache = new TokenCache(root.Path, new TestTokenizer());
        var error = Assert.Throws<InvalidOperationException>(() => cache.Pack(fixture.Manifest, packed["out"], maxBytes: 1 << 30));
        Assert.Contains("tokens build", error.Message);
    }
}
