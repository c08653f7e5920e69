using System.Text.Json;
using System.Threading.Channels;
using StemGen.Audio;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;

namespace StemGen.Data.Tokens;

/// <summary>How <see cref="TokenCache.Prefill"/> encodes what the cache lacks.</summary>
public sealed record TokenCacheBuildOptions
{
    /// <summary>
    /// The path before the pipeline: nothing is prefilled, each file is encoded alone when the loader
    /// first asks for it (batch 1, reading and encoding in turn). Kept as the bench's baseline.
    /// </summary>
    public static TokenCacheBuildOptions OneByOne { get; } = new() { Pipelined = false, Batch = 1 };

    /// <summary>Encode in a pipeline (read ahead, batched forwards) before the pairs are loaded.</summary>
    public bool Pipelined { get; init; } = true;

    /// <summary>
    /// Clips of one segment (its stems and submixes, all of one length) per codec forward. 1 on a CPU:
    /// the SEANet convolutions over 20 s windows are memory-bound, and (B, C, L) activations B times
    /// larger ran slower per clip (bench/README.md); a GPU gains from more.
    /// </summary>
    public int Batch { get; init; } = 1;

    /// <summary>
    /// Encoders, each on its own thread with one segment at a time and its own intra-op threads
    /// (cores / encoders, at least 1). Default: one per core, single-threaded: on 2 cores the tiny
    /// codec encoded 68x real time on 1 OpenMP thread and 36x on 2 (bench/README.md).
    /// </summary>
    public int Encoders { get; init; } = Environment.ProcessorCount;

    /// <summary>Segments read, mixed and resampled ahead of the encoder (bounds memory: ~11 clips of 60 s each).</summary>
    public int ReadAhead { get; init; } = 2;

    public TokenCacheBuildOptions Validate()
    {
        if (Batch < 1) throw new ArgumentOutOfRangeException(nameof(Batch), Batch, "batch must be at least 1");
        if (Encoders < 1) throw new ArgumentOutOfRangeException(nameof(Encoders), Encoders, "at least one encoder is needed");
        if (ReadAhead < 1) throw new ArgumentOutOfRangeException(nameof(ReadAhead), ReadAhead, "read-ahead must be at least 1 segment");
        return this;
    }
}

public sealed partial class TokenCache
{
    // One file to encode: where it goes, what it must carry, and its audio at the codec rate.
    private sealed record Pending(string Key, string Path, TokenFile.Expected Expected, CacheOutcome Outcome, float[] Samples);

    /// <summary>
    /// Encodes every stem and <paramref name="submixesPerSegment"/> submixes of each segment that the
    /// cache lacks, writing the same files as <see cref="Stem"/> and <see cref="Submixes"/> would.
    /// A reader task loads each segment's stems once (all files, submixes mixed from them, resampled
    /// to the codec rate) into a bounded channel while this thread encodes the previous segment in
    /// batches of <see cref="TokenCacheBuildOptions.Batch"/> clips per forward. Progress after each
    /// segment; returns (files read from cache, files encoded).
    /// </summary>
    /// <remarks>
    /// With <paramref name="activityThresholdDb"/>, the reader also stores each segment's frame
    /// activity (<see cref="SegmentActivity"/>) of its stems and submixes from the audio it has
    /// read, so the loader after it does not decode the segment again.
    /// </remarks>
    public (long Hits, long Encoded) Prefill(ImportManifest manifest, IReadOnlyList<SegmentRef> segments, int submixesPerSegment, long seed, double encodeSeconds = 0,
        TokenCacheBuildOptions? options = null, IProgress<TokenCacheProgress>? progress = null, CancellationToken cancellationToken = default,
        double? activityThresholdDb = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(segments);
        options = (options ?? new TokenCacheBuildOptions()).Validate();
        var channel = Channel.CreateBounded<List<Pending>>(new BoundedChannelOptions(options.ReadAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long hits = 0, encoded = 0;
        var reader = Task.Run(() =>
        {
            try
            {
                foreach (var item in segments)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    var work = PlanSegment(manifest, item, submixesPerSegment, seed, HeadOf(manifest, item.Segment, encodeSeconds), activityThresholdDb, ref hits);
                    channel.Writer.WriteAsync(work, stop.Token).AsTask().GetAwaiter().GetResult();
                }
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        var done = 0;
        var progressLock = new Lock();
        void Encode()
        {
            tokenizer.UseThreads(Math.Max(1, Environment.ProcessorCount / options.Encoders));
            while (channel.Reader.WaitToReadAsync(stop.Token).AsTask().GetAwaiter().GetResult())
                while (channel.Reader.TryRead(out var work))
                {
                    foreach (var batch in work.Chunk(options.Batch))
                    {
                        stop.Token.ThrowIfCancellationRequested();
                        var tokens = tokenizer.EncodeBatch(batch.Select(p => p.Samples).ToList());
                        for (var i = 0; i < batch.Length; i++)
                        {
                            TokenFile.Write(batch[i].Path, Checked(tokens[i], batch[i].Key), batch[i].Expected);
                            Statistics.Count(batch[i].Outcome);
                        }
                        Interlocked.Add(ref encoded, batch.Length);
                    }
                    lock (progressLock) progress?.Report(new TokenCacheProgress(++done, segments.Count, Interlocked.Read(ref hits), Interlocked.Read(ref encoded)));
                }
        }
        // Encoders on threads of their own: each keeps its thread count, and one that fails stops the rest.
        var encoders = Enumerable.Range(0, options.Encoders).Select(_ => Task.Factory.StartNew(() =>
        {
            try
            {
                Encode();
            }
            catch
            {
                stop.Cancel();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        try
        {
            Task.WaitAll([.. encoders, reader], CancellationToken.None);
        }
        catch (AggregateException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The first real failure (others are the cancellations it caused).
            var cause = e.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) ?? e.InnerExceptions[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
        }
        return (Interlocked.Read(ref hits), Interlocked.Read(ref encoded));
    }

    /// <summary>Head length in samples for <see cref="TokenPairOptions.EncodeSeconds"/>, null for the whole segment.</summary>
    public static int? HeadOf(ImportManifest manifest, ImportedSegment segment, double encodeSeconds) =>
        encodeSeconds > 0 && encodeSeconds * manifest.SampleRate < segment.Frames ? (int)Math.Round(encodeSeconds * manifest.SampleRate) : null;

    // What of one segment is missing, with its audio; valid files are counted as hits and skipped.
    private List<Pending> PlanSegment(ImportManifest manifest, SegmentRef item, int submixesPerSegment, long seed, int? headSamples, double? activityThresholdDb,
        ref long hits)
    {
        var (track, segment) = (item.Track, item.Segment);
        var wanted = new List<(string Key, ulong Hash, IReadOnlyList<string> Stems, bool IsStem)>();
        var sources = segment.Stems.ToDictionary(s => s.Id, s => Fingerprint(manifest, s.File));
        foreach (var stem in segment.Stems)
            wanted.Add((SegmentKey(track, segment, stem.Id + HeadSuffix(headSamples)), WithHead(sources[stem.Id], headSamples), [stem.Id], true));
        if (submixesPerSegment > 0)
        {
            var submixes = PlanSubmixes(track, segment, submixesPerSegment, seed);
            foreach (var submix in submixes)
            {
                var hash = TokenFile.Fnv1a(string.Join("|", submix.Stems.Select(id => $"{id}:{sources[id]:x16}")));
                wanted.Add((SegmentKey(track, segment, $"mix{submix.Index}{HeadSuffix(headSamples)}"), WithHead(hash, headSamples), submix.Stems, false));
            }
            WriteRecipe(track, segment, seed, submixes);
        }

        var result = new List<Pending>();
        SegmentAudio? audio = null;
        foreach (var (key, hash, stems, isStem) in wanted)
        {
            var path = PathOf(key);
            var expected = Expected(hash);
            if (TokenFile.TryRead(path, expected, out var problem) is not null)
            {
                Interlocked.Increment(ref hits);
                Statistics.Count(CacheOutcome.Hit);
                continue;
            }
            audio ??= SegmentAudio.Load(manifest, track, segment);
            var frames = headSamples is { } n ? Math.Min(n, audio.Frames) : audio.Frames;
            // Exactly the samples Stem and Submixes encode: a stem's own (its head), a submix's plain sum.
            var samples = isStem ? audio.Stem(stems[0]).Samples[..frames] : audio.Mix(stems, 0, frames);
            var mono = new AudioBuffer(samples, 1, audio.SampleRate);
            if (mono.SampleRate != tokenizer.SampleRate) mono = Resampler.Resample(mono, tokenizer.SampleRate);
            var outcome = File.Exists(path) || problem is not null ? CacheOutcome.Replaced : CacheOutcome.Miss;
            result.Add(new Pending(key, path, expected, outcome, mono.Channel(0).ToArray()));
        }
        // The sets TokenPairSet asks for: each stem alone, then each submix (read from disk when stored).
        if (activityThresholdDb is { } threshold)
            SegmentActivity.GetOrCompute(this, manifest, track, segment, wanted.Select(w => w.Stems).ToList(), tokenizer.FrameRate, threshold, audio);
        return result;
    }

    private void WriteRecipe(ImportedTrack track, ImportedSegment segment, long seed, IReadOnlyList<Submix> submixes)
    {
        var recipe = Path.Combine(Directory, SegmentFolder(track, segment), "submixes.json");
        var json = JsonSerializer.Serialize(new { seed, submixes }, ImportManifest.Json);
        if (!File.Exists(recipe) || File.ReadAllText(recipe) != json) AtomicWrite.Text(recipe, json);
    }
}
