using StemGen.Audio;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tokens;

/// <summary>How training pairs are cut from cached tokens.</summary>
public sealed record TokenPairOptions
{
    /// <summary>Crop length in token frames (paper: 20 s = 1000 frames at 50 Hz).</summary>
    public int CropFrames { get; init; } = 1000;

    /// <summary>Precomputed context submixes per segment (the contexts pairs can use; see <see cref="TokenCache.Submixes"/>).</summary>
    public int SubmixesPerSegment { get; init; } = 4;

    /// <summary>Seed of the submix recipes: the same seed gives the same stem subsets, hence the same cached tokens.</summary>
    public long SubmixSeed { get; init; } = 1;

    public double ThresholdDb { get; init; } = Activity.DefaultThresholdDb;
    public double MinOverlap { get; init; } = Activity.DefaultMinimumOverlap;

    /// <summary>
    /// Encode only the first this many seconds of each segment (0: all of it). Encoding is the cost
    /// of a CPU-only cache (an hour of audio takes hours on a small CPU); a head keeps every song.
    /// </summary>
    public double EncodeSeconds { get; init; }

    /// <summary>Draws (submix, target, crop) tried on one segment before another segment is picked.</summary>
    public int MaxAttempts { get; init; } = 16;

    public TokenPairOptions Validate()
    {
        var problems = new List<string>();
        if (CropFrames < 1) problems.Add($"crop must be at least one frame (got {CropFrames})");
        if (SubmixesPerSegment < 1) problems.Add($"at least one submix per segment is needed for contexts (got {SubmixesPerSegment})");
        if (MinOverlap is < 0 or > 1 || double.IsNaN(MinOverlap)) problems.Add($"minimum overlap must be in [0, 1] (got {MinOverlap})");
        if (MaxAttempts < 1) problems.Add($"attempts must be at least 1 (got {MaxAttempts})");
        if (!(EncodeSeconds >= 0)) problems.Add($"encoded seconds must be 0 (all) or positive (got {EncodeSeconds})");
        if (problems.Count > 0) throw new ArgumentException($"invalid pair options: {string.Join("; ", problems)}");
        return this;
    }
}

/// <summary>A pair cut from cached tokens: context (the submix) and target, each [Q, crop frames].</summary>
public sealed record TokenPair(PairPlan Plan, short[,] Context, short[,] Target);

/// <summary>What loading a split found.</summary>
public sealed record TokenPairSetSummary(string Split, int Segments, int SegmentsTooShort, int Stems, int Submixes, long TokensEncoded, long TokensFromCache);

/// <summary>
/// Training pairs (paper section 2) over one split of an import, served from memory: every stem's
/// and every precomputed submix's tokens are encoded into the token cache once (<see cref="Load"/>),
/// read into memory with their frame activity, and a draw only picks indices and copies a crop. A
/// draw picks a segment uniformly, one of its submixes as the context, a target stem outside it and
/// a crop start (in token frames), and keeps it when target and context are active together in at
/// least <see cref="TokenPairOptions.MinOverlap"/> of the crop's frames (the activity rule of
/// <see cref="TrainingPairSampler"/>, on the submix's own audio). Everything comes from the given
/// <see cref="SeededRandom"/>, so the same stream gives the same pair. Safe for concurrent draws.
/// </summary>
public sealed class TokenPairSet
{
    private sealed record Stem(string Id, InstrumentCategory Category, short[,] Tokens, bool[] Active);

    private sealed record Mix(Submix Submix, short[,] Tokens, bool[] Active);

    private sealed record SegmentTokens(ImportedTrack Track, ImportedSegment Segment, IReadOnlyList<Stem> Stems, IReadOnlyList<Mix> Mixes, int Frames);

    private readonly IReadOnlyList<SegmentTokens> segments;
    private readonly int sampleRate;
    private readonly double frameRate;

    private TokenPairSet(IReadOnlyList<SegmentTokens> segments, TokenPairOptions options, int levels, int sampleRate, double frameRate, TokenPairSetSummary summary)
    {
        this.segments = segments;
        this.sampleRate = sampleRate;
        this.frameRate = frameRate;
        Options = options;
        Levels = levels;
        Summary = summary;
    }

    public TokenPairOptions Options { get; }
    public int Levels { get; }
    public TokenPairSetSummary Summary { get; }

    /// <summary>Segments long enough for a crop, with at least one usable submix.</summary>
    public int SegmentCount => segments.Count;

    /// <summary>Draws rejected by the activity rule so far (thread-safe counter).</summary>
    public long Rejected => Interlocked.Read(ref rejected);
    private long rejected;

    /// <summary>
    /// Encodes what is missing of <paramref name="split"/> into the cache (stems and
    /// <see cref="TokenPairOptions.SubmixesPerSegment"/> submixes per segment), then reads it all into
    /// memory with its activity. Progress is reported after each segment.
    /// </summary>
    /// <remarks>
    /// <paramref name="shard"/> of <paramref name="shards"/> keeps segments i with i mod shards = shard
    /// only: separate processes can build one cache together (files are written atomically).
    /// Missing tokens are encoded first by <see cref="TokenCache.Prefill"/> (one reader, one encoder,
    /// batched) unless <paramref name="build"/> is <see cref="TokenCacheBuildOptions.OneByOne"/>;
    /// <paramref name="jobs"/> then only loads.
    /// </remarks>
    public static TokenPairSet Load(ImportManifest manifest, string split, TokenCache cache, IAudioTokenizer tokenizer, TokenPairOptions? options = null,
        int jobs = 1, IProgress<TokenCacheProgress>? progress = null, CancellationToken cancellationToken = default, int shard = 0, int shards = 1,
        TokenCacheBuildOptions? build = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, shards);
        options = (options ?? new TokenPairOptions()).Validate();
        var refs = SegmentRef.Of(manifest, split).Where((_, i) => i % shards == shard).ToList();
        if (refs.Count == 0) throw new InvalidOperationException($"the import has no '{split}' segment with two or more stems");
        build = (build ?? new TokenCacheBuildOptions()).Validate();
        (long Hits, long Encoded)? prefilled = null;
        if (build.Pipelined)
        {
            prefilled = cache.Prefill(manifest, refs, options.SubmixesPerSegment, options.SubmixSeed, options.EncodeSeconds, build, progress, cancellationToken,
                options.ThresholdDb);
            progress = null;
        }
        var (hits0, encoded0) = (cache.Statistics.Hits, cache.Statistics.Misses + cache.Statistics.Replaced);
        var loaded = new SegmentTokens?[refs.Count];
        var done = 0;
        Parallel.For(0, refs.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = cancellationToken }, i =>
        {
            loaded[i] = LoadSegment(manifest, refs[i], cache, tokenizer, options);
            progress?.Report(new TokenCacheProgress(Interlocked.Increment(ref done), refs.Count,
                cache.Statistics.Hits - hits0, cache.Statistics.Misses + cache.Statistics.Replaced - encoded0));
        });
        var usable = loaded.Where(s => s is not null && s.Frames >= options.CropFrames && s.Mixes.Count > 0).Select(s => s!).ToList();
        // After a prefill the loop reads every file back from the cache: the prefill's counts say what came from it.
        var (loopHits, loopEncoded) = (cache.Statistics.Hits - hits0, cache.Statistics.Misses + cache.Statistics.Replaced - encoded0);
        var (encoded, fromCache) = prefilled is { } p ? (p.Encoded + loopEncoded, p.Hits) : (loopEncoded, loopHits);
        var summary = new TokenPairSetSummary(split, usable.Count, refs.Count - usable.Count, usable.Sum(s => s.Stems.Count), usable.Sum(s => s.Mixes.Count),
            encoded, fromCache);
        if (usable.Count == 0)
            throw new InvalidOperationException($"no '{split}' segment is {options.CropFrames} token frames long ({options.CropFrames / (double)tokenizer.FrameRate:0.#} s): use a shorter crop");
        return new TokenPairSet(usable, options, tokenizer.Levels, manifest.SampleRate, tokenizer.FrameRate, summary);
    }

    private static SegmentTokens LoadSegment(ImportManifest manifest, SegmentRef item, TokenCache cache, IAudioTokenizer tokenizer, TokenPairOptions options)
    {
        var (track, segment) = (item.Track, item.Segment);
        var head = TokenCache.HeadOf(manifest, segment, options.EncodeSeconds);
        var stemTokens = segment.Stems.Select(s => cache.Stem(manifest, track, segment, s.Id, head)).ToList();
        var submixes = cache.Submixes(manifest, track, segment, options.SubmixesPerSegment, options.SubmixSeed, head);
        var sets = segment.Stems.Select(s => (IReadOnlyList<string>)[s.Id]).Concat(submixes.Select(m => m.Submix.Stems)).ToList();
        var activity = SegmentActivity.GetOrCompute(cache, manifest, track, segment, sets, tokenizer.FrameRate, options.ThresholdDb);
        var stems = segment.Stems.Select((s, i) => new Stem(s.Id, track.Stem(s.Id).Category, stemTokens[i], activity[SegmentActivity.Key([s.Id])])).ToList();
        var mixes = submixes.Select(m => new Mix(m.Submix, m.Tokens, activity[SegmentActivity.Key(m.Submix.Stems)])).ToList();
        // Every array covers the whole segment; a codec may give a frame more or less at the end.
        var frames = stems.Select(s => Math.Min(s.Tokens.GetLength(1), s.Active.Length))
            .Concat(mixes.Select(m => Math.Min(m.Tokens.GetLength(1), m.Active.Length))).Min();
        return new SegmentTokens(track, segment, stems, mixes, frames);
    }

    /// <summary>
    /// One pair, all choices from <paramref name="rng"/>: a uniform segment, then up to
    /// <see cref="TokenPairOptions.MaxAttempts"/> (submix, target, crop) draws on it; another segment
    /// when none passes. Throws when nothing passes in many segments (the data cannot give pairs).
    /// </summary>
    public TokenPair Draw(SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var segmentTries = Math.Max(64, 4 * segments.Count);
        for (var i = 0; i < segmentTries; i++)
            if (DrawFrom(rng.Next(segments.Count), rng) is { } pair) return pair;
        throw new InvalidOperationException(
            $"no pair passed the activity rule (overlap >= {Options.MinOverlap:P0}) in {segmentTries} segments x {Options.MaxAttempts} draws: is the audio silent?");
    }

    /// <summary>A pair from segment number <paramref name="index"/> (0..SegmentCount-1), or null when no draw passes.</summary>
    public TokenPair? DrawFrom(int index, SeededRandom rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, segments.Count);
        var segment = segments[index];
        var crop = Options.CropFrames;
        for (var attempt = 0; attempt < Options.MaxAttempts; attempt++)
        {
            var mix = rng.Pick(segment.Mixes);
            var outside = segment.Stems.Where(s => !mix.Submix.Stems.Contains(s.Id)).ToList();
            var target = rng.Pick(outside);
            var start = rng.Next(segment.Frames - crop + 1);
            var overlap = Activity.Overlap(new ArraySegment<bool>(target.Active, start, crop), new ArraySegment<bool>(mix.Active, start, crop));
            if (overlap.TargetActive == 0 || overlap.ContextActive == 0 || !overlap.Meets(Options.MinOverlap))
            {
                Interlocked.Increment(ref rejected);
                continue;
            }
            var samplesPerFrame = sampleRate / frameRate;
            var plan = new PairPlan(segment.Track.Name, segment.Segment.Index, mix.Submix.Stems, target.Id, target.Category,
                (int)Math.Round(start * samplesPerFrame), (int)Math.Round(crop * samplesPerFrame), Math.Round(overlap.Fraction, 4), mix.Submix.Index);
            return new TokenPair(plan, Crop(mix.Tokens, start, crop), Crop(target.Tokens, start, crop));
        }
        return null;
    }

    /// <summary>
    /// A fixed list of pairs (for validation): pair i comes from segment i mod SegmentCount with a
    /// stream derived from (seed, i), so every segment is visited and the list never changes.
    /// Segments where no draw passes are left out.
    /// </summary>
    public IReadOnlyList<TokenPair> FixedPairs(int count, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var pairs = new List<TokenPair>(count);
        for (var i = 0; i < count; i++)
            if (DrawFrom(i % segments.Count, SeededRandom.Derive(seed, i)) is { } pair) pairs.Add(pair);
        return pairs;
    }

    private static short[,] Crop(short[,] tokens, int start, int frames)
    {
        var levels = tokens.GetLength(0);
        var result = new short[levels, frames];
        for (var q = 0; q < levels; q++)
            for (var t = 0; t < frames; t++) result[q, t] = tokens[q, start + t];
        return result;
    }
}
