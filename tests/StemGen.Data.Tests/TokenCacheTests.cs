using StemGen.Audio;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;
using StemGen.Data.Tokens;

namespace StemGen.Data.Tests;

public class TokenCacheTests(ImportedFixture fixture) : IClassFixture<ImportedFixture>
{
    private ImportManifest Manifest => fixture.Manifest;
    private ImportedTrack Track => Manifest.Tracks[0];
    private ImportedSegment Segment => Track.Segments[0];

    [Fact]
    public void A_stem_is_encoded_once_then_read_from_disk()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var first = cache.Stem(Manifest, Track, Segment, "S00");
        Assert.Equal(1, tokenizer.Calls);
        var second = cache.Stem(Manifest, Track, Segment, "S00");
        Assert.Equal(1, tokenizer.Calls);
        Assert.Equal(first, second);
        Assert.Equal((1, 1L, 0L), ((int)cache.Statistics.Misses, cache.Statistics.Hits, cache.Statistics.Replaced));
        // Another process (a new cache object) finds it too.
        var again = new TokenCache(root.Path, tokenizer).Stem(Manifest, Track, Segment, "S00");
        Assert.Equal(1, tokenizer.Calls);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Tokens_are_levels_by_frames_at_the_codec_rate()
    {
        using var root = new TempDirectory();
        // The codec reads 8 kHz: the 16 kHz segment is resampled first; 2 s at 50 Hz is 100 frames either way.
        var tokens = new TokenCache(root.Path, new TestTokenizer(sampleRate: 8000)).Stem(Manifest, Track, Segment, "S00");
        Assert.Equal(2, tokens.GetLength(0));
        Assert.Equal(100, tokens.GetLength(1));
        // A 440 Hz sine crosses zero 880 times a second: about 17.6 times per 20 ms frame.
        Assert.InRange(tokens[1, 50], 17, 18);
    }

    [Fact]
    public void Another_codec_identity_misses_and_lives_in_its_own_folder()
    {
        using var root = new TempDirectory();
        var v1 = new TestTokenizer("test-tokenizer/v1");
        var v2 = new TestTokenizer("test-tokenizer/v2");
        var cache1 = new TokenCache(root.Path, v1);
        var cache2 = new TokenCache(root.Path, v2);
        cache1.Stem(Manifest, Track, Segment, "S00");
        cache2.Stem(Manifest, Track, Segment, "S00");
        Assert.Equal((1, 1), (v1.Calls, v2.Calls));
        Assert.Equal(1, cache2.Statistics.Misses);
        Assert.NotEqual(cache1.Directory, cache2.Directory);
        Assert.Equal("test-tokenizer/v2\n", File.ReadAllText(Path.Combine(cache2.Directory, "identity.txt")));
        Assert.Equal(1, cache2.RemoveOtherCodecs());
        Assert.False(Directory.Exists(cache1.Directory));
        Assert.True(Directory.Exists(cache2.Directory));
    }

    [Fact]
    public void A_file_written_by_another_codec_is_not_trusted_even_at_the_same_path()
    {
        using var root = new TempDirectory();
        var cache = new TokenCache(root.Path, new TestTokenizer("a"));
        cache.GetOrEncode("k", 1, () => Signals.Mono(Signals.Sine(440, 0.3, 1, 16000), 16000));
        // Put codec a's file where codec b looks.
        var b = new TestTokenizer("b");
        var other = new TokenCache(root.Path, b);
        var file = Path.Combine(other.Directory, "k" + TokenFile.Extension);
        File.Copy(Path.Combine(cache.Directory, "k" + TokenFile.Extension), file);
        other.GetOrEncode("k", 1, () => Signals.Mono(Signals.Sine(440, 0.3, 1, 16000), 16000), out var outcome);
        Assert.Equal(CacheOutcome.Replaced, outcome);
        Assert.Equal(1, b.Calls);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    [InlineData("empty")]
    public void A_damaged_cache_file_is_encoded_again(string damage)
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var good = cache.Stem(Manifest, Track, Segment, "S01");
        var file = Directory.EnumerateFiles(cache.Directory, "S01" + TokenFile.Extension, SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(file);
        switch (damage)
        {
            case "flip": bytes[^3] ^= 0x40; File.WriteAllBytes(file, bytes); break;
            case "truncate": File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]); break;
            case "garbage": File.WriteAllText(file, "not tokens at all"); break;
            case "empty": File.WriteAllBytes(file, []); break;
        }
        var recovered = cache.Stem(Manifest, Track, Segment, "S01");
        Assert.Equal(good, recovered);
        Assert.Equal(2, tokenizer.Calls);
        Assert.Equal(1, cache.Statistics.Replaced);
        // And the file is whole again.
        cache.Stem(Manifest, Track, Segment, "S01");
        Assert.Equal(2, tokenizer.Calls);
    }

    [Fact]
    public void Changed_audio_is_encoded_again()
    {
        using var root = new TempDirectory();
        using var copy = new TempDirectory();
        // Work on a copy of the import so the shared fixture stays untouched.
        foreach (var file in Directory.EnumerateFiles(fixture.Output.Path, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy.Path, Path.GetRelativePath(fixture.Output.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var manifest = ImportManifest.Load(copy.Path);
        var track = manifest.Tracks[0];
        var segment = track.Segments[0];
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var before = cache.Stem(manifest, track, segment, "S00");
        var path = manifest.PathOf(segment.Stems.Single(s => s.Id == "S00").File);
        AudioFile.Write(path, Signals.Mono(Signals.Sine(880, 0.3, 2, 16000), 16000), AudioWriteFormat.Flac24);
        var after = cache.Stem(manifest, track, segment, "S00");
        Assert.Equal(2, tokenizer.Calls);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Submixes_are_distinct_proper_subsets_drawn_from_the_seed()
    {
        var a = TokenCache.PlanSubmixes(Track, Segment, 4, seed: 3);
        var b = TokenCache.PlanSubmixes(Track, Segment, 4, seed: 3);
        Assert.Equal(a.Select(s => string.Join(",", s.Stems)), b.Select(s => string.Join(",", s.Stems)));
        Assert.Equal(4, a.Select(s => string.Join(",", s.Stems)).Distinct().Count());
        var m = Segment.Stems.Count;
        Assert.All(a, s => Assert.InRange(s.Stems.Count, 1, m - 1));
        // Three stems have 2^3 - 2 = 6 non-empty proper subsets: asking for more gives all 6.
        Assert.Equal(3, m);
        Assert.Equal(6, TokenCache.PlanSubmixes(Track, Segment, 50, seed: 3).Count);
    }

    [Fact]
    public void Submix_tokens_are_encoded_once_and_their_recipe_is_kept()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var first = cache.Submixes(Manifest, Track, Segment, 3, seed: 1);
        Assert.Equal(3, tokenizer.Calls);
        var second = cache.Submixes(Manifest, Track, Segment, 3, seed: 1);
        Assert.Equal(3, tokenizer.Calls);
        Assert.Equal(first.Select(s => s.Tokens), second.Select(s => s.Tokens));
        var recipe = Directory.EnumerateFiles(cache.Directory, "submixes.json", SearchOption.AllDirectories).Single();
        Assert.Contains(first[0].Submix.Stems[0], File.ReadAllText(recipe));
        // A submix's tokens are the tokens of the plain sum of its stems.
        var audio = SegmentAudio.Load(Manifest, Track, Segment);
        var expected = tokenizer.Encode(audio.Mix(first[1].Submix.Stems, 0, audio.Frames));
        Assert.Equal(expected, first[1].Tokens);
    }

    [Fact]
    public void Build_encodes_every_stem_and_submix_once()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var reports = new List<TokenCacheProgress>();
        cache.Build(Manifest, "train", submixesPerSegment: 2, seed: 1, jobs: 2, progress: new InlineProgress<TokenCacheProgress>(p => { lock (reports) reports.Add(p); }));
        var segments = Manifest.Split("train").SelectMany(t => t.Segments).ToList();
        var expected = segments.Sum(s => s.Stems.Count + Math.Min(2, (1 << s.Stems.Count) - 2));
        Assert.Equal(expected, tokenizer.Calls);
        Assert.Equal(segments.Count, reports.Count);
        cache.Build(Manifest, "train", submixesPerSegment: 2, seed: 1);
        Assert.Equal(expected, tokenizer.Calls);
    }

    [Fact]
    public void A_pairs_target_tokens_are_the_crop_of_its_stem_tokens()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var sampler = new TrainingPairSampler(new PairSamplerOptions { CropSeconds = 1 });
        var pair = sampler.Pairs(Manifest, "train", seed: 2, epochs: 1).First();
        var tokens = cache.TargetTokens(Manifest, pair.Plan);
        Assert.Equal(50, tokens.GetLength(1));
        var first = pair.Plan.CropStart / 320;
        var full = cache.Stem(Manifest, Manifest.Tracks.Single(t => t.Name == pair.Plan.Track),
            Manifest.Tracks.Single(t => t.Name == pair.Plan.Track).Segments.Single(s => s.Index == pair.Plan.Segment), pair.Plan.Target);
        for (var t = 0; t < 50; t++) Assert.Equal(full[0, first + t], tokens[0, t]);
    }

    [Fact]
    public void Pairs_drawn_from_precomputed_submixes_get_their_context_tokens_from_the_cache()
    {
        using var root = new TempDirectory();
        var tokenizer = new TestTokenizer();
        var cache = new TokenCache(root.Path, tokenizer);
        var contexts = TokenCache.PlanSubmixes(Track, Segment, 4, seed: 7).Select(s => s.Stems).ToList();
        var sampler = new TrainingPairSampler(new PairSamplerOptions { CropSeconds = 1 });
        var pair = sampler.Draw(SegmentAudio.Load(Manifest, Track, Segment), new SeededRandom(1), contexts)!;
        var tokens = cache.ContextTokens(Manifest, pair.Plan, 4, seed: 7);
        Assert.Equal((2, 50), (tokens.GetLength(0), tokens.GetLength(1)));
        var mix = tokenizer.Encode(pair.Context.Samples);
        // Encoding the whole segment then cutting equals encoding the crop for this frame-local tokenizer.
        Assert.Equal(mix, tokens);
        Assert.Throws<InvalidOperationException>(() => cache.ContextTokens(Manifest, pair.Plan, 4, seed: 8));
    }

    [Fact]
    public void Token_files_round_trip_and_refuse_other_shapes()
    {
        using var root = new TempDirectory();
        var path = Path.Combine(root.Path, "t" + TokenFile.Extension);
        var tokens = new short[,] { { 1, 2, 3 }, { 2047, 0, 5 } };
        var expected = new TokenFile.Expected(11, 22, 2, 32000, 50);
        TokenFile.Write(path, tokens, expected);
        Assert.Equal(tokens, TokenFile.TryRead(path, expected, out var problem));
        Assert.Null(problem);
        Assert.Null(TokenFile.TryRead(path, expected with { Levels = 4 }, out problem));
        Assert.Contains("levels", problem);
        Assert.Null(TokenFile.TryRead(path, expected with { SourceHash = 23 }, out problem));
        Assert.Contains("audio changed", problem);
        Assert.Null(TokenFile.TryRead(Path.Combine(root.Path, "none.sgt"), expected, out problem));
        Assert.Null(problem);
        Assert.Empty(Directory.EnumerateFiles(root.Path, "*.tmp"));
    }
}
