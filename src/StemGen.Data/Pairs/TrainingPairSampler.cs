using StemGen.Audio;
using StemGen.Data.Slakh;

namespace StemGen.Data.Pairs;

/// <summary>Settings of pair construction (paper sections 2-3, activity rule of docs/slakh.md).</summary>
public sealed record PairSamplerOptions
{
    /// <summary>Crop length (paper: a random 20 s crop of each 1-minute segment).</summary>
    public double CropSeconds { get; init; } = 20;

    /// <summary>Crop starts are multiples of this many codec frames' worth of samples (1 = 640 samples at 32 kHz / 50 Hz), so token crops are exact slices.</summary>
    public double FrameRate { get; init; } = Activity.DefaultFrameRate;

    /// <summary>A 50 Hz frame is active above this RMS level.</summary>
    public double ThresholdDb { get; init; } = Activity.DefaultThresholdDb;

    /// <summary>Keep a crop when target and context are active together in at least this fraction of frames.</summary>
    public double MinOverlap { get; init; } = Activity.DefaultMinimumOverlap;

    /// <summary>Draws (subset, target, crop) tried per segment before it is passed over for this epoch.</summary>
    public int MaxAttempts { get; init; } = 16;
}

/// <summary>Where a pair comes from, without its audio (enough to slice cached tokens).</summary>
/// <param name="Track">"split/TrackNNNNN".</param>
/// <param name="Segment">Segment index within the track.</param>
/// <param name="Context">Ids of the N stems mixed into the context (1 &lt;= N &lt; M).</param>
/// <param name="Target">Id of the target stem, never in the context.</param>
/// <param name="TargetCategory">The conditioning category c_i.</param>
/// <param name="CropStart">First sample of the crop within the segment (a multiple of the codec hop).</param>
/// <param name="CropFrames">Crop length in samples.</param>
/// <param name="Overlap">Fraction of 50 Hz frames where target and context are both active.</param>
/// <param name="Submix">Index of the precomputed submix used as context, when pairs are drawn from a fixed set.</param>
public sealed record PairPlan(string Track, int Segment, IReadOnlyList<string> Context, string Target, InstrumentCategory TargetCategory,
    int CropStart, int CropFrames, double Overlap, int? Submix = null);

/// <summary>A training pair: the context mix and the target stem, mono, cropped.</summary>
public sealed record TrainingPair(PairPlan Plan, AudioBuffer Context, AudioBuffer Target);

/// <summary>Why a draw was rejected.</summary>
public enum PairRejection { SilentTarget, SilentContext, LowOverlap, TooFewStems }

/// <summary>Counts of draws and rejections (thread-safe).</summary>
public sealed class PairStatistics
{
    private long accepted, silentTarget, silentContext, lowOverlap, tooFewStems, segmentsPassed;

    public long Accepted => Interlocked.Read(ref accepted);
    public long SilentTarget => Interlocked.Read(ref silentTarget);
    public long SilentContext => Interlocked.Read(ref silentContext);
    public long LowOverlap => Interlocked.Read(ref lowOverlap);
    public long TooFewStems => Interlocked.Read(ref tooFewStems);
    /// <summary>Segments that gave no pair in <see cref="PairSamplerOptions.MaxAttempts"/> draws.</summary>
    public long SegmentsPassed => Interlocked.Read(ref segmentsPassed);

    internal void Accept() => Interlocked.Increment(ref accepted);
    internal void Pass() => Interlocked.Increment(ref segmentsPassed);

    internal void Reject(PairRejection reason)
    {
        switch (reason)
        {
            case PairRejection.SilentTarget: Interlocked.Increment(ref silentTarget); break;
            case PairRejection.SilentContext: Interlocked.Increment(ref silentContext); break;
            case PairRejection.LowOverlap: Interlocked.Increment(ref lowOverlap); break;
            case PairRejection.TooFewStems: Interlocked.Increment(ref tooFewStems); break;
        }
    }

    public override string ToString() =>
        $"{Accepted} pairs; rejected: {SilentTarget} silent target, {SilentContext} silent context, {LowOverlap} overlap < threshold, {TooFewStems} too few stems; {SegmentsPassed} segments passed over";
}

/// <summary>
/// Training pairs as in the paper's section 2: from a segment with M stems, the context is the mix
/// of N random stems (N uniform in 1..M-1, then a uniform N-subset), the target one random stem not
/// in the context, both cropped to a random 20 s window (section 3). A draw is rejected when the
/// target or the context is silent, or when they are active together in under 50 % of the 50 Hz
/// frames (-60 dB RMS rule); the sampler then draws again, up to a limit. Everything is decided by
/// <see cref="SeededRandom"/> streams derived from (seed, epoch, segment), so a seed gives the same
/// pairs in the same order however the stream is consumed.
/// </summary>
public sealed class TrainingPairSampler
{
    public TrainingPairSampler(PairSamplerOptions? options = null)
    {
        Options = options ?? new PairSamplerOptions();
        if (!(Options.CropSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(options), Options.CropSeconds, "crop length must be positive");
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxAttempts, 1);
    }

    public PairSamplerOptions Options { get; }
    public PairStatistics Statistics { get; } = new();

    /// <summary>
    /// Draws one pair from a segment, trying up to <see cref="PairSamplerOptions.MaxAttempts"/>
    /// subsets and crops. With <paramref name="contexts"/>, the context must be one of those stem sets
    /// (precomputed submixes; <see cref="PairPlan.Submix"/> says which). Null when nothing passes.
    /// </summary>
    public TrainingPair? Draw(SegmentAudio segment, SeededRandom rng, IReadOnlyList<IReadOnlyList<string>>? contexts = null)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(rng);
        for (var attempt = 0; attempt < Options.MaxAttempts; attempt++)
        {
            var result = TryOnce(segment, rng, contexts, out var rejection);
            if (result is not null)
            {
                Statistics.Accept();
                return result;
            }
            Statistics.Reject(rejection);
            if (rejection == PairRejection.TooFewStems) break;
        }
        Statistics.Pass();
        return null;
    }

    /// <summary>One draw: subset, target and crop, then the activity checks.</summary>
    internal TrainingPair? TryOnce(SegmentAudio segment, SeededRandom rng, IReadOnlyList<IReadOnlyList<string>>? contexts, out PairRejection rejection)
    {
        var m = segment.Stems.Count;
        IReadOnlyList<string> context;
        int? submix = null;
        string target;
        if (contexts is null)
        {
            if (m < 2)
            {
                rejection = PairRejection.TooFewStems;
                return null;
            }
            var n = rng.Next(1, m); // N < M
            var order = rng.Sample(m, m);
            context = order.Take(n).OrderBy(i => i).Select(i => segment.Stems[i].Id).ToList();
            target = segment.Stems[order[n + rng.Next(m - n)]].Id;
        }
        else
        {
            // Only submixes that leave a stem out can serve.
            var usable = contexts.Select((c, i) => (Stems: c, Index: i)).Where(c => c.Stems.Count > 0 && c.Stems.Count < m).ToList();
            if (usable.Count == 0)
            {
                rejection = PairRejection.TooFewStems;
                return null;
            }
            var chosen = rng.Pick(usable);
            context = chosen.Stems;
            submix = chosen.Index;
            var outside = segment.Stems.Select(s => s.Id).Where(id => !chosen.Stems.Contains(id)).ToList();
            target = rng.Pick(outside);
        }

        var (start, length) = Crop(segment, rng);
        var targetAudio = new AudioBuffer(segment.Slice(target, start, length), 1, segment.SampleRate);
        var contextAudio = new AudioBuffer(segment.Mix(context, start, length), 1, segment.SampleRate);
        var targetActive = Activity.ActiveFrames(targetAudio, Options.ThresholdDb, Options.FrameRate);
        var contextActive = Activity.ActiveFrames(contextAudio, Options.ThresholdDb, Options.FrameRate);
        var overlap = Activity.Overlap(targetActive, contextActive);
        PairRejection? reason = overlap.TargetActive == 0 ? PairRejection.SilentTarget
            : overlap.ContextActive == 0 ? PairRejection.SilentContext
            : !overlap.Meets(Options.MinOverlap) ? PairRejection.LowOverlap
            : null;
        rejection = reason ?? default;
        if (reason is not null) return null;
        var plan = new PairPlan(segment.Track, segment.Segment, context, target, segment.Stem(target).Category, start, length, Math.Round(overlap.Fraction, 4), submix);
        return new TrainingPair(plan, contextAudio, targetAudio);
    }

    /// <summary>A random crop start, a multiple of the codec hop; the whole segment when it is shorter than a crop.</summary>
    internal (int Start, int Length) Crop(SegmentAudio segment, SeededRandom rng)
    {
        var length = (int)Math.Round(Options.CropSeconds * segment.SampleRate);
        if (length >= segment.Frames) return (0, segment.Frames);
        var hop = segment.SampleRate / Options.FrameRate;
        var positions = (int)Math.Floor((segment.Frames - length) / hop) + 1;
        var start = (int)Math.Round(rng.Next(positions) * hop);
        return (Math.Min(start, segment.Frames - length), length);
    }

    /// <summary>
    /// An endless stream of pairs over imported segments: each epoch visits every segment once in a
    /// seeded order and draws one pair from it (paper: one random crop per segment); segments with no
    /// acceptable draw are passed over for that epoch. Stops after <paramref name="epochs"/> when given.
    /// </summary>
    public IEnumerable<TrainingPair> Pairs(IReadOnlyList<SegmentRef> segments, Func<SegmentRef, SegmentAudio> load, long seed, int? epochs = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(load);
        if (segments.Count == 0) yield break;
        for (var epoch = 0; epochs is null || epoch < epochs; epoch++)
        {
            var order = Enumerable.Range(0, segments.Count).ToArray();
            SeededRandom.Derive(seed, epoch).Shuffle(order);
            var produced = 0;
            foreach (var i in order)
            {
                var pair = Draw(load(segments[i]), SeededRandom.Derive(seed, epoch, i));
                if (pair is null) continue;
                produced++;
                yield return pair;
            }
            if (produced == 0) yield break; // nothing can ever pass: do not spin forever
        }
    }

    /// <summary>Pairs from the segments of one split of an import.</summary>
    public IEnumerable<TrainingPair> Pairs(ImportManifest manifest, string split, long seed, int? epochs = null)
    {
        var segments = SegmentRef.Of(manifest, split);
        return Pairs(segments, s => SegmentAudio.Load(manifest, s.Track, s.Segment), seed, epochs);
    }
}

/// <summary>A segment of an imported track.</summary>
public sealed record SegmentRef(ImportedTrack Track, ImportedSegment Segment)
{
    /// <summary>Segments of a split with at least two stems, in manifest order.</summary>
    public static IReadOnlyList<SegmentRef> Of(ImportManifest manifest, string split) =>
        manifest.Split(split).SelectMany(t => t.Segments.Where(s => s.Stems.Count >= 2).Select(s => new SegmentRef(t, s))).ToList();
}
