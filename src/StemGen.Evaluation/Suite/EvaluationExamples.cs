using StemGen.Audio;
using StemGen.Data;
using StemGen.Data.Pairs;
using StemGen.Data.Slakh;

namespace StemGen.Evaluation.Suite;

/// <summary>
/// One evaluation example (paper section 3.2): a context mix and a target category drawn from held-out
/// data like a training pair, the real stem of that category as reference, and a stem of another song
/// (same category when one exists) as the mismatched baseline of the coherence metrics.
/// </summary>
/// <param name="MismatchTrack">The track ("split/TrackNNNNN") the mismatched stem comes from.</param>
public sealed record EvaluationExample(int Index, PairPlan Plan, AudioBuffer Context, AudioBuffer RealStem, AudioBuffer? Mismatched, string? MismatchSource,
    string? MismatchTrack = null)
{
    public InstrumentCategory Category => Plan.TargetCategory;
    public double Seconds => (double)Context.Frames / Context.SampleRate;
}

/// <summary>
/// Draws evaluation examples from an imported split with the training-pair procedure
/// (<see cref="TrainingPairSampler"/>: random N-of-M context, a random target stem outside it, a random
/// crop, silent or non-overlapping draws rejected). Segments are visited in a seeded order, each loaded
/// once; the same seed gives the same examples.
/// </summary>
public static class EvaluationExamples
{
    /// <summary>Draws a pair for the target category wanted this many times (each with its own seeded stream) before a slot is given up.</summary>
    public const int CategoryAttempts = 24;

    /// <param name="categories">
    /// When given, the targets are restricted to these categories and balanced: example i wants categories[i % k], is
    /// drawn from a segment that has a stem of that category (such segments in the seeded order, the c-th category
    /// starting c segments in), and the pair procedure is repeated until its target is of that category (up to
    /// <see cref="CategoryAttempts"/> draws; a category short of its share is reported). Null: any target, as in training.
    /// </param>
    public static IReadOnlyList<EvaluationExample> Draw(ImportManifest manifest, string split, int count, double cropSeconds, long seed,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default, IReadOnlyList<InstrumentCategory>? categories = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var segments = SegmentRef.Of(manifest, split);
        if (segments.Count == 0)
        {
            var splits = manifest.Tracks.Select(t => t.Split).Distinct().Order();
            throw new InvalidOperationException($"split '{split}' has no segment with two or more stems (splits in this import: {string.Join(", ", splits)})");
        }
        var sampler = new TrainingPairSampler(new PairSamplerOptions { CropSeconds = cropSeconds });
        var order = Enumerable.Range(0, segments.Count).ToArray();
        SeededRandom.Derive(seed, 0).Shuffle(order);
        // Example i comes from segment order[i % S], so every segment is read once.
        // With categories: from the segments that have the wanted category, in the same seeded order.
        Func<int, int> segmentOf = i => order[i % segments.Count];
        InstrumentCategory? Wanted(int slot) => categories is null ? null : categories[slot % categories.Count];
        if (categories is not null)
        {
            if (categories.Count == 0) throw new ArgumentException("the category list is empty", nameof(categories));
            var withCategory = categories.Distinct().ToDictionary(c => c, c => order.Where(o => HasCategory(segments[o], c)).ToArray());
            var missing = withCategory.Where(kv => kv.Value.Length == 0).Select(kv => kv.Key.ToString()).ToList();
            if (missing.Count > 0)
            {
                var present = segments.SelectMany(s => s.Segment.Stems.Select(st => s.Track.Stem(st.Id).Category.ToString())).Distinct().Order(StringComparer.Ordinal);
                throw new InvalidOperationException($"split '{split}' has no segment with a {string.Join(" or ", missing)} stem (categories there: {string.Join(", ", present)})");
            }
            // The j-th example of the c-th listed category takes candidate j + c, so consecutive examples of different
            // categories come from different songs where there are several (each has a mismatched partner).
            segmentOf = i =>
            {
                var c = i % categories.Count;
                var candidates = withCategory[categories[c]];
                return candidates[(i / categories.Count + c) % candidates.Length];
            };
        }
        var drawn = new List<(int Slot, TrainingPair Pair)>();
        var failedSegments = 0;
        var bySegment = Enumerable.Range(0, count).GroupBy(segmentOf).OrderBy(g => g.Min()).ToList();
        var loaded = 0;
        foreach (var group in bySegment)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var segment = segments[group.Key];
            var audio = SegmentAudio.Load(manifest, segment.Track, segment.Segment);
            var any = false;
            foreach (var slot in group)
            {
                var pair = Wanted(slot) is { } wanted
                    ? Enumerable.Range(0, CategoryAttempts).Select(a => sampler.Draw(audio, SeededRandom.Derive(seed, 1, slot, a)))
                        .FirstOrDefault(p => p?.Plan.TargetCategory == wanted)
                    : sampler.Draw(audio, SeededRandom.Derive(seed, 1, slot));
                if (pair is null) continue;
                drawn.Add((slot, pair));
                any = true;
            }
            if (!any) failedSegments++;
            loaded++;
            progress?.Report($"examples: read {loaded}/{bySegment.Count} segments, {drawn.Count} examples");
        }
        if (drawn.Count == 0) throw new InvalidOperationException($"no acceptable example in split '{split}': {sampler.Statistics}");
        if (failedSegments > 0) progress?.Report($"examples: {failedSegments} segments gave no acceptable pair ({sampler.Statistics})");

        if (categories is not null)
            foreach (var category in categories.Distinct())
            {
                var wanted = Enumerable.Range(0, count).Count(i => Wanted(i) == category);
                var got = drawn.Count(d => d.Pair.Plan.TargetCategory == category);
                if (got < wanted) progress?.Report($"examples: {got} of {wanted} {category} examples drawn (no acceptable {category} pair in {CategoryAttempts} draws for the rest)");
            }
        drawn.Sort((a, b) => a.Slot.CompareTo(b.Slot));
        var examples = new List<EvaluationExample>(drawn.Count);
        for (var i = 0; i < drawn.Count; i++)
        {
            var (_, pair) = drawn[i];
            var others = drawn.Where(d => d.Pair.Plan.Track != pair.Plan.Track).Select(d => d.Pair).ToList();
            var sameCategory = others.Where(o => o.Plan.TargetCategory == pair.Plan.TargetCategory).ToList();
            var pool = sameCategory.Count > 0 ? sameCategory : others;
            AudioBuffer? mismatched = null;
            string? source = null, sourceTrack = null;
            if (pool.Count > 0)
            {
                var other = SeededRandom.Derive(seed, 2, i).Pick(pool);
                mismatched = FitLength(other.Target, pair.Context.Frames);
                source = $"{other.Plan.Track}#{other.Plan.Segment}/{other.Plan.Target} ({other.Plan.TargetCategory})";
                sourceTrack = other.Plan.Track;
            }
            examples.Add(new EvaluationExample(i, pair.Plan, pair.Context, pair.Target, mismatched, source, sourceTrack));
        }
        return examples;
    }

    private static bool HasCategory(SegmentRef segment, InstrumentCategory category) =>
        segment.Segment.Stems.Any(s => segment.Track.Stem(s.Id).Category == category);

    /// <summary>The audio trimmed or zero-padded to <paramref name="frames"/> (mono).</summary>
    internal static AudioBuffer FitLength(AudioBuffer audio, int frames)
    {
        var samples = new float[frames];
        audio.Channel(0)[..Math.Min(frames, audio.Frames)].CopyTo(samples);
        return new AudioBuffer(samples, 1, audio.SampleRate);
    }
}
