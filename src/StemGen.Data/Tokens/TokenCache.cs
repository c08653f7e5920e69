using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StemGen.Audio;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tokens;

/// <summary>What a lookup found.</summary>
public enum CacheOutcome
{
    /// <summary>Read from disk.</summary>
    Hit,
    /// <summary>Not there: encoded and stored.</summary>
    Miss,
    /// <summary>There but unusable (damaged, another codec, changed audio): encoded again and replaced.</summary>
    Replaced,
}

/// <summary>Lookup counts (thread-safe).</summary>
public sealed class TokenCacheStatistics
{
    private long hits, misses, replaced;
    public long Hits => Interlocked.Read(ref hits);
    public long Misses => Interlocked.Read(ref misses);
    public long Replaced => Interlocked.Read(ref replaced);

    internal void Count(CacheOutcome outcome)
    {
        switch (outcome)
        {
            case CacheOutcome.Hit: Interlocked.Increment(ref hits); break;
            case CacheOutcome.Miss: Interlocked.Increment(ref misses); break;
            case CacheOutcome.Replaced: Interlocked.Increment(ref replaced); break;
        }
    }

    public override string ToString() => $"{Hits} hits, {Misses} encoded, {Replaced} re-encoded";
}

/// <summary>A precomputed context submix of a segment: which stems it mixes.</summary>
public sealed record Submix(int Index, IReadOnlyList<string> Stems);

/// <summary>Progress of <see cref="TokenCache.Build"/>, after each segment.</summary>
public sealed record TokenCacheProgress(int SegmentsDone, int SegmentsTotal, long Hits, long Encoded);

/// <summary>
/// Tokens of imported audio, encoded once and kept on disk, so training does not run the codec on
/// every step. Per segment: every stem's tokens and, for CPU-only training, K precomputed random
/// context submixes (on a GPU, context mixes are better encoded on the fly, which allows any subset).
/// Layout: ROOT/{codec}/{split}/{track}/{segment:000}/{stem}.sgt, mix{k}.sgt and submixes.json, where
/// {codec} is a hash of <see cref="IAudioTokenizer.Identity"/> (written out in identity.txt): a
/// different codec reads nothing of another's. Every file also carries the identity hash, a
/// fingerprint of its source audio and a payload checksum; a file that fails any check is encoded
/// again and replaced, never trusted. Writes are atomic, so concurrent builders are safe.
/// </summary>
public sealed partial class TokenCache
{
    private readonly IAudioTokenizer tokenizer;
    private readonly ulong identityHash;

    public TokenCache(string root, IAudioTokenizer tokenizer)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        this.tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (string.IsNullOrWhiteSpace(tokenizer.Identity)) throw new ArgumentException("the tokenizer needs an identity", nameof(tokenizer));
        Root = Path.GetFullPath(root);
        identityHash = TokenFile.Fnv1a(tokenizer.Identity);
        Directory = Path.Combine(Root, FolderFor(tokenizer.Identity));
        System.IO.Directory.CreateDirectory(Directory);
        var identityFile = Path.Combine(Directory, "identity.txt");
        if (!File.Exists(identityFile)) AtomicWrite.Text(identityFile, tokenizer.Identity + "\n");
        var fingerprintFile = Path.Combine(Root, FingerprintsFile);
        if (File.Exists(fingerprintFile)) packedFingerprints = JsonSerializer.Deserialize<Dictionary<string, ulong>>(File.ReadAllText(fingerprintFile));
    }

    /// <summary>
    /// In the root of a cache packed without its audio (<see cref="Pack"/>): the fingerprint of every
    /// source file by its manifest path, standing in for files that are not there.
    /// </summary>
    public const string FingerprintsFile = "fingerprints.json";

    private readonly Dictionary<string, ulong>? packedFingerprints;

    public string Root { get; }

    /// <summary>This codec's folder under the root.</summary>
    public string Directory { get; }

    public TokenCacheStatistics Statistics { get; } = new();

    /// <summary>The folder name for a codec identity: 16 hex digits of its SHA-256.</summary>
    public static string FolderFor(string identity) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16].ToLowerInvariant();

    /// <summary>
    /// Tokens for <paramref name="key"/> (a relative path without extension): from disk when a valid
    /// file for this codec and this <paramref name="sourceHash"/> exists, else <paramref name="audio"/>
    /// is encoded (resampled to the codec rate first) and stored.
    /// </summary>
    public short[,] GetOrEncode(string key, ulong sourceHash, Func<AudioBuffer> audio) => GetOrEncode(key, sourceHash, audio, out _);

    public short[,] GetOrEncode(string key, ulong sourceHash, Func<AudioBuffer> audio, out CacheOutcome outcome)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(audio);
        var path = PathOf(key);
        var expected = Expected(sourceHash);
        var cached = TokenFile.TryRead(path, expected, out var problem);
        if (cached is not null)
        {
            outcome = CacheOutcome.Hit;
            Statistics.Count(outcome);
            return cached;
        }
        outcome = File.Exists(path) || problem is not null ? CacheOutcome.Replaced : CacheOutcome.Miss;
        var tokens = Encode(audio(), key);
        TokenFile.Write(path, tokens, expected);
        Statistics.Count(outcome);
        return tokens;
    }

    /// <summary>Whether valid tokens for the key are on disk (nothing is encoded).</summary>
    public bool Contains(string key, ulong sourceHash) => TokenFile.TryRead(PathOf(key), Expected(sourceHash), out _) is not null;

    /// <summary>
    /// The tokens [Q, T] of one stem of an imported segment; with <paramref name="headSamples"/>, of
    /// its first samples only (a cheaper encode for CPU runs, cached apart from the whole segment's).
    /// </summary>
    public short[,] Stem(ImportManifest manifest, ImportedTrack track, ImportedSegment segment, string stemId, int? headSamples = null)
    {
        var stem = segment.Stems.FirstOrDefault(s => s.Id == stemId) ?? throw new KeyNotFoundException($"{track.Name} segment {segment.Index} has no stem {stemId}");
        var file = manifest.PathOf(stem.File);
        return GetOrEncode(SegmentKey(track, segment, stemId + HeadSuffix(headSamples)), WithHead(Fingerprint(manifest, stem.File), headSamples),
            () => Head(LoadSegmentFile(file, segment.Frames, manifest.SampleRate), headSamples));
    }

    // A head-only encode is another source: its own file name and fingerprint.
    private static string HeadSuffix(int? headSamples) => headSamples is { } n ? $".head{n}" : "";

    private static ulong WithHead(ulong hash, int? headSamples) => headSamples is { } n ? TokenFile.Fnv1a($"{hash:x16}|head{n}") : hash;

    private static AudioBuffer Head(AudioBuffer audio, int? headSamples) =>
        headSamples is { } n && n < audio.Frames ? new AudioBuffer(audio.Channel(0)[..n].ToArray(), 1, audio.SampleRate) : audio;

    /// <summary>
    /// K random context submixes of a segment (each a non-empty proper subset of its stems, drawn like
    /// the pair sampler draws contexts; distinct; at most 2^M - 2), with their tokens encoded once.
    /// Which stems each holds is stored beside them, deterministic from <paramref name="seed"/>.
    /// </summary>
    public IReadOnlyList<(Submix Submix, short[,] Tokens)> Submixes(ImportManifest manifest, ImportedTrack track, ImportedSegment segment, int count, long seed,
        int? headSamples = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var submixes = PlanSubmixes(track, segment, count, seed);
        SegmentAudio? audio = null;
        var result = submixes.Select(s => (s, SubmixTokens(manifest, track, segment, s, () => audio ??= SegmentAudio.Load(manifest, track, segment), headSamples))).ToList();
        WriteRecipe(track, segment, seed, submixes);
        return result;
    }

    private short[,] SubmixTokens(ImportManifest manifest, ImportedTrack track, ImportedSegment segment, Submix submix, Func<SegmentAudio> audio, int? headSamples = null)
    {
        // The source of a submix: its stems' files and the recipe.
        var sources = segment.Stems.ToDictionary(s => s.Id, s => s.File);
        var hash = TokenFile.Fnv1a(string.Join("|", submix.Stems.Select(id => $"{id}:{Fingerprint(manifest, sources[id]):x16}")));
        return GetOrEncode(SegmentKey(track, segment, $"mix{submix.Index}{HeadSuffix(headSamples)}"), WithHead(hash, headSamples), () =>
        {
            var a = audio();
            var frames = headSamples is { } n ? Math.Min(n, a.Frames) : a.Frames;
            return new AudioBuffer(a.Mix(submix.Stems, 0, frames), 1, a.SampleRate);
        });
    }

    /// <summary>The stem sets of the K submixes (no encoding).</summary>
    public static IReadOnlyList<Submix> PlanSubmixes(ImportedTrack track, ImportedSegment segment, int count, long seed)
    {
        var ids = segment.Stems.Select(s => s.Id).OrderBy(id => id, StringComparer.Ordinal).ToList();
        var m = ids.Count;
        if (m < 2 || count == 0) return [];
        var possible = m >= 31 ? int.MaxValue : (1 << m) - 2;
        var wanted = Math.Min(count, possible);
        var rng = SeededRandom.Derive(seed, unchecked((long)TokenFile.Fnv1a(track.Name)), segment.Index);
        var seen = new HashSet<string>();
        var result = new List<Submix>();
        for (var guard = 0; result.Count < wanted && guard < 100 * wanted; guard++)
        {
            var n = rng.Next(1, m);
            var stems = rng.Sample(m, n).OrderBy(i => i).Select(i => ids[i]).ToList();
            if (seen.Add(string.Join(",", stems))) result.Add(new Submix(result.Count, stems));
        }
        return result;
    }

    /// <summary>Encodes every stem (and K submixes per segment when asked) of a split, or of all splits when null.</summary>
    public void Build(ImportManifest manifest, string? split = null, int submixesPerSegment = 0, long seed = 1, int jobs = 1,
        IProgress<TokenCacheProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var segments = manifest.Tracks.Where(t => split is null || t.Split == split).SelectMany(t => t.Segments.Select(s => (Track: t, Segment: s))).ToList();
        var done = 0;
        Parallel.ForEach(segments, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, item =>
        {
            foreach (var stem in item.Segment.Stems) Stem(manifest, item.Track, item.Segment, stem.Id);
            if (submixesPerSegment > 0) Submixes(manifest, item.Track, item.Segment, submixesPerSegment, seed);
            progress?.Report(new TokenCacheProgress(Interlocked.Increment(ref done), segments.Count, Statistics.Hits, Statistics.Misses + Statistics.Replaced));
        });
    }

    /// <summary>The target's tokens for a pair, cut to its crop: [Q, crop frames].</summary>
    public short[,] TargetTokens(ImportManifest manifest, PairPlan plan)
    {
        var (track, segment) = Find(manifest, plan);
        return Slice(Stem(manifest, track, segment, plan.Target), plan.CropStart, plan.CropFrames, manifest.SampleRate);
    }

    /// <summary>The context's tokens for a pair drawn from precomputed submixes (<see cref="PairPlan.Submix"/> set).</summary>
    public short[,] ContextTokens(ImportManifest manifest, PairPlan plan, int submixesPerSegment, long seed)
    {
        if (plan.Submix is not { } index) throw new ArgumentException("the pair's context is not a precomputed submix; encode it on the fly", nameof(plan));
        var (track, segment) = Find(manifest, plan);
        var submixes = PlanSubmixes(track, segment, submixesPerSegment, seed);
        if (index >= submixes.Count || !submixes[index].Stems.SequenceEqual(plan.Context))
            throw new InvalidOperationException($"submix {index} of {plan.Track} segment {plan.Segment} is not the pair's context (other K or seed?)");
        var tokens = SubmixTokens(manifest, track, segment, submixes[index], () => SegmentAudio.Load(manifest, track, segment));
        return Slice(tokens, plan.CropStart, plan.CropFrames, manifest.SampleRate);
    }

    /// <summary>Token frames covering samples [start, start + count) at <paramref name="sampleRate"/>.</summary>
    public short[,] Slice(short[,] tokens, int start, int count, int sampleRate)
    {
        var first = (int)Math.Round((double)start * tokenizer.FrameRate / sampleRate);
        var frames = (int)Math.Ceiling((double)count * tokenizer.FrameRate / sampleRate - 1e-9);
        first = Math.Clamp(first, 0, tokens.GetLength(1));
        frames = Math.Clamp(frames, 0, tokens.GetLength(1) - first);
        var result = new short[tokens.GetLength(0), frames];
        for (var q = 0; q < tokens.GetLength(0); q++)
            for (var t = 0; t < frames; t++) result[q, t] = tokens[q, first + t];
        return result;
    }

    /// <summary>Deletes cache folders of other codecs under the root; returns how many.</summary>
    public int RemoveOtherCodecs()
    {
        var removed = 0;
        foreach (var folder in System.IO.Directory.EnumerateDirectories(Root))
        {
            if (Path.GetFullPath(folder) == Directory || !File.Exists(Path.Combine(folder, "identity.txt"))) continue;
            System.IO.Directory.Delete(folder, recursive: true);
            removed++;
        }
        return removed;
    }

    private short[,] Encode(AudioBuffer audio, string key)
    {
        var mono = audio.Channels == 1 ? audio : ChannelMapper.Apply(audio, ChannelPolicy.Mono);
        if (mono.SampleRate != tokenizer.SampleRate) mono = Resampler.Resample(mono, tokenizer.SampleRate);
        return Checked(tokenizer.Encode(mono.Channel(0).ToArray()), key);
    }

    private short[,] Checked(short[,] tokens, string key)
    {
        if (tokens.GetLength(0) != tokenizer.Levels)
            throw new InvalidOperationException($"{key}: the tokenizer returned {tokens.GetLength(0)} levels, it declares {tokenizer.Levels}");
        foreach (var code in tokens)
            if (code < 0) throw new InvalidOperationException($"{key}: the tokenizer returned a negative code ({code})");
        return tokens;
    }

    private TokenFile.Expected Expected(ulong sourceHash) => new(identityHash, sourceHash, tokenizer.Levels, tokenizer.SampleRate, tokenizer.FrameRate);

    private string PathOf(string key)
    {
        if (key.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(key)) throw new ArgumentException($"'{key}' is not a relative cache key", nameof(key));
        return Path.Combine(Directory, key + TokenFile.Extension);
    }

    private static string SegmentFolder(ImportedTrack track, ImportedSegment segment) => Path.Combine(track.Split, track.Id, segment.Index.ToString("000"));

    private static string SegmentKey(ImportedTrack track, ImportedSegment segment, string name) => Path.Combine(SegmentFolder(track, segment), name);

    /// <summary>
    /// Size and modification time: a changed file is a different source. The path is left out (the
    /// cache key already places the file), so a dataset moved with its times kept (cp -p, rsync -t)
    /// keeps its tokens.
    /// </summary>
    /// <summary>The fingerprint of a manifest file: from the file, or, when it is absent from a packed cache, from the pack's record.</summary>
    internal ulong Fingerprint(ImportManifest manifest, string relative)
    {
        var path = manifest.PathOf(relative);
        return !File.Exists(path) && packedFingerprints is not null && packedFingerprints.TryGetValue(relative, out var packed) ? packed : FileFingerprint(path);
    }

    internal static ulong FileFingerprint(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: segment file missing (import again)", path);
        return TokenFile.Fnv1a($"{info.Length}|{info.LastWriteTimeUtc.Ticks}");
    }

    private static AudioBuffer LoadSegmentFile(string path, int frames, int sampleRate)
    {
        var audio = AudioFile.Load(path, sampleRate, ChannelPolicy.Mono);
        if (audio.Frames == frames) return audio;
        var padded = new AudioBuffer(1, frames, sampleRate);
        audio.Channel(0)[..Math.Min(frames, audio.Frames)].CopyTo(padded.Channel(0));
        return padded;
    }

    private static (ImportedTrack, ImportedSegment) Find(ImportManifest manifest, PairPlan plan)
    {
        var track = manifest.Tracks.FirstOrDefault(t => t.Name == plan.Track) ?? throw new KeyNotFoundException($"no track {plan.Track} in the manifest");
        var segment = track.Segments.FirstOrDefault(s => s.Index == plan.Segment) ?? throw new KeyNotFoundException($"{plan.Track} has no segment {plan.Segment}");
        return (track, segment);
    }
}
