using StemGen.Audio;
using StemGen.Data.Pairs;

namespace StemGen.Data.Tests;

public class PairCountingTests
{
    [Fact]
    public void The_closed_form_matches_enumeration_and_the_sum_over_context_sizes()
    {
        for (var m = 0; m <= 12; m++)
        {
            var enumerated = PairCounting.Enumerate(m).LongCount();
            Assert.Equal(enumerated, PairCounting.Count(m));
            Assert.Equal(enumerated, PairCounting.CountBySize(m));
        }
    }

    [Fact]
    public void The_papers_formula_gives_the_same_numbers()
    {
        // Paper section 2: "a single song with N stems can result in N/2 (2^N - 2) training pairs".
        for (var m = 0; m <= 20; m++) Assert.Equal(PairCounting.Count(m), PairCounting.PaperCount(m));
        Assert.Equal([0L, 0, 2, 9, 28, 75, 186], Enumerable.Range(0, 7).Select(PairCounting.PaperCount));
        Assert.Equal(1016, PairCounting.Count(8));
    }

    [Fact]
    public void Enumerated_pairs_have_proper_contexts_and_targets_outside_them()
    {
        var pairs = PairCounting.Enumerate(5).ToList();
        Assert.Equal(pairs.Count, pairs.Distinct().Count());
        Assert.All(pairs, p =>
        {
            Assert.InRange(p.ContextMask, 1, (1 << 5) - 2);
            Assert.Equal(0, p.ContextMask & (1 << p.Target));
        });
    }
}

public class TrainingPairSamplerTests
{
    private const int Rate = 16000;

    /// <summary>
    /// 12 s: S00 piano always on, S01 bass on for the first 6 s only, S02 drum bursts (active about
    /// 12 % of frames, so never half-overlapping as a target), S03 silent.
    /// </summary>
    private static SegmentAudio Segment(string track = "train/T1", int index = 0) => new(track, index, Rate,
    [
        new StemAudio("S00", InstrumentCategory.Piano, Signals.Sine(440, 0.3, 12, Rate)),
        new StemAudio("S01", InstrumentCategory.Bass, Signals.Gated(110, 0.3, 12, Rate, t => t < 6)),
        new StemAudio("S02", InstrumentCategory.Drums, Signals.Bursts(12, Rate, 4)),
        new StemAudio("S03", InstrumentCategory.SynthPad, new float[12 * Rate]),
    ]);

    private static readonly SegmentAudio Shared = Segment();

    /// <summary>Three stems that always sound: every draw passes.</summary>
    private static SegmentAudio AllOn(string track = "train/T", int index = 0, double seconds = 12) => new(track, index, Rate,
    [
        new StemAudio("A", InstrumentCategory.Piano, Signals.Sine(220, 0.3, seconds, Rate)),
        new StemAudio("B", InstrumentCategory.Bass, Signals.Sine(110, 0.3, seconds, Rate)),
        new StemAudio("C", InstrumentCategory.Guitar, Signals.Sine(330, 0.3, seconds, Rate)),
    ]);

    private static readonly PairSamplerOptions TenSeconds = new() { CropSeconds = 4 };

    private static List<TrainingPair> Draw(int count, long seed = 1, SegmentAudio? segment = null)
    {
        var sampler = new TrainingPairSampler(TenSeconds);
        segment ??= Shared;
        var rng = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => sampler.Draw(segment, rng)).OfType<TrainingPair>().ToList();
    }

    [Fact]
    public void The_target_is_never_in_its_context()
    {
        var pairs = Draw(150);
        Assert.True(pairs.Count >= 120, $"{pairs.Count} of 150");
        Assert.All(pairs, p =>
        {
            Assert.DoesNotContain(p.Plan.Target, p.Plan.Context);
            Assert.InRange(p.Plan.Context.Count, 1, 3);
            Assert.Equal(p.Plan.Context.Count, p.Plan.Context.Distinct().Count());
        });
    }

    [Fact]
    public void Every_kept_crop_is_active_with_enough_overlap()
    {
        foreach (var pair in Draw(100))
        {
            Assert.False(pair.Target.IsSilent());
            Assert.False(pair.Context.IsSilent());
            var overlap = Activity.Overlap(pair.Target, pair.Context);
            Assert.True(overlap.Meets(0.5), $"overlap {overlap.Fraction}");
            Assert.Equal(overlap.Fraction, pair.Plan.Overlap, 3);
        }
    }

    [Fact]
    public void A_silent_stem_is_never_a_target()
    {
        Assert.DoesNotContain(Draw(150), p => p.Plan.Target == "S03");
    }

    [Fact]
    public void A_stem_that_stops_is_a_target_only_in_crops_where_it_plays_half_the_time()
    {
        var bass = Draw(150).Where(p => p.Plan.Target == "S01").ToList();
        Assert.NotEmpty(bass);
        // Active until 6 s: a 4 s crop must start by 4 s to be half active.
        Assert.All(bass, p => Assert.True(p.Plan.CropStart <= 4 * Rate + 320, $"crop at {p.Plan.CropStart / (double)Rate} s"));
    }

    [Fact]
    public void Crops_are_20_s_by_default_and_start_on_the_codec_frame_grid()
    {
        var sampler = new TrainingPairSampler();
        var rng = new SeededRandom(5);
        var segment = AllOn(seconds: 30);
        for (var i = 0; i < 30; i++)
        {
            var pair = sampler.Draw(segment, rng)!;
            Assert.Equal(20 * Rate, pair.Plan.CropFrames);
            Assert.Equal(0, pair.Plan.CropStart % (Rate / 50));
            Assert.InRange(pair.Plan.CropStart, 0, 10 * Rate);
        }
    }

    [Fact]
    public void Pair_audio_is_the_cropped_target_and_the_plain_sum_of_the_context()
    {
        var segment = Shared;
        foreach (var pair in Draw(20, segment: segment))
        {
            var (start, length) = (pair.Plan.CropStart, pair.Plan.CropFrames);
            Assert.Equal(segment.Stem(pair.Plan.Target).Samples.AsSpan(start, length).ToArray(), pair.Target.Samples);
            var expected = new float[length];
            foreach (var id in pair.Plan.Context)
                for (var i = 0; i < length; i++) expected[i] += segment.Stem(id).Samples[start + i];
            Assert.Equal(expected, pair.Context.Samples);
        }
    }

    [Fact]
    public void The_target_category_is_recorded()
    {
        var segment = Shared;
        Assert.All(Draw(50, segment: segment), p => Assert.Equal(segment.Stem(p.Plan.Target).Category, p.Plan.TargetCategory));
    }

    [Fact]
    public void The_same_seed_gives_the_same_pairs_and_another_seed_others()
    {
        var a = Draw(40, seed: 3).Select(p => p.Plan).ToList();
        var b = Draw(40, seed: 3).Select(p => p.Plan).ToList();
        var c = Draw(40, seed: 4).Select(p => p.Plan).ToList();
        Assert.Equal(a.Select(Describe), b.Select(Describe));
        Assert.NotEqual(a.Select(Describe), c.Select(Describe));
    }

    private static string Describe(PairPlan p) => $"{p.Track}/{p.Segment}:{string.Join("+", p.Context)}->{p.Target}@{p.CropStart}";

    [Fact]
    public void All_pairs_of_a_three_stem_song_are_drawn()
    {
        var seen = Draw(200, segment: AllOn()).Select(p => (string.Join("+", p.Plan.Context), p.Plan.Target)).ToHashSet();
        Assert.Equal(PairCounting.Count(3), seen.Count);
    }

    [Fact]
    public void Rejections_are_counted()
    {
        var sampler = new TrainingPairSampler(TenSeconds);
        var rng = new SeededRandom(2);
        for (var i = 0; i < 60; i++) sampler.Draw(Shared, rng);
        Assert.True(sampler.Statistics.SilentTarget > 0);
        Assert.True(sampler.Statistics.LowOverlap > 0);
        Assert.True(sampler.Statistics.Accepted > 40);
    }

    [Fact]
    public void A_segment_with_one_audible_stem_gives_no_pair()
    {
        var segment = new SegmentAudio("train/T", 0, Rate,
        [
            new StemAudio("A", InstrumentCategory.Piano, Signals.Sine(220, 0.3, 12, Rate)),
            new StemAudio("B", InstrumentCategory.Bass, new float[12 * Rate]),
        ]);
        var sampler = new TrainingPairSampler(TenSeconds);
        Assert.Null(sampler.Draw(segment, new SeededRandom(1)));
        Assert.Equal(1, sampler.Statistics.SegmentsPassed);
        var lone = new SegmentAudio("train/T", 0, Rate, [new StemAudio("A", InstrumentCategory.Piano, Signals.Sine(220, 0.3, 12, Rate))]);
        Assert.Null(sampler.Draw(lone, new SeededRandom(1)));
        Assert.Equal(1, sampler.Statistics.TooFewStems);
    }

    [Fact]
    public void Fixed_context_sets_are_respected()
    {
        var sampler = new TrainingPairSampler(TenSeconds);
        IReadOnlyList<IReadOnlyList<string>> contexts = [["A"], ["A", "C"], ["A", "B", "C"]];
        var rng = new SeededRandom(8);
        var segment = AllOn();
        for (var i = 0; i < 50; i++)
        {
            var pair = sampler.Draw(segment, rng, contexts);
            Assert.NotNull(pair);
            // The full set leaves no target, so it is never used.
            Assert.InRange(pair.Plan.Submix!.Value, 0, 1);
            Assert.Equal(contexts[pair.Plan.Submix.Value], pair.Plan.Context);
            Assert.DoesNotContain(pair.Plan.Target, pair.Plan.Context);
        }
    }

    [Fact]
    public void The_pair_stream_visits_every_segment_once_per_epoch_in_a_seeded_order()
    {
        var segments = Enumerable.Range(0, 6).Select(i => AllOn("train/T", i)).ToList();
        var refs = segments.Select(s => new SegmentRef(
            new Slakh.ImportedTrack { Split = "train", Id = "T", Source = "" }, new Slakh.ImportedSegment { Index = s.Segment })).ToList();
        var sampler = new TrainingPairSampler(TenSeconds);
        var a = sampler.Pairs(refs, r => segments[r.Segment.Index], seed: 4, epochs: 2).Select(p => Describe(p.Plan)).ToList();
        var b = new TrainingPairSampler(TenSeconds).Pairs(refs, r => segments[r.Segment.Index], seed: 4, epochs: 2).Select(p => Describe(p.Plan)).ToList();
        Assert.Equal(12, a.Count);
        Assert.Equal(a, b);
        Assert.Equal(6, a.Take(6).Select(d => d.Split(':')[0]).Distinct().Count());
    }

    [Fact]
    public void The_pair_stream_ends_when_no_segment_can_give_a_pair()
    {
        var silent = new SegmentAudio("train/T", 0, Rate,
        [
            new StemAudio("A", InstrumentCategory.Piano, new float[12 * Rate]),
            new StemAudio("B", InstrumentCategory.Bass, new float[12 * Rate]),
        ]);
        var refs = new[] { new SegmentRef(new Slakh.ImportedTrack { Split = "train", Id = "T", Source = "" }, new Slakh.ImportedSegment()) };
        Assert.Empty(new TrainingPairSampler(TenSeconds).Pairs(refs, _ => silent, seed: 1));
    }
}

public class ManifestPairTests(ImportedFixture fixture) : IClassFixture<ImportedFixture>
{
    [Fact]
    public void Pairs_come_from_imported_segments_of_the_split()
    {
        var sampler = new TrainingPairSampler(new PairSamplerOptions { CropSeconds = 1 });
        var pairs = sampler.Pairs(fixture.Manifest, "train", seed: 1, epochs: 2).ToList();
        Assert.NotEmpty(pairs);
        foreach (var pair in pairs)
        {
            var track = fixture.Manifest.Tracks.Single(t => t.Name == pair.Plan.Track);
            Assert.Equal("train", track.Split);
            Assert.Equal(track.Stem(pair.Plan.Target).Category, pair.Plan.TargetCategory);
            Assert.Equal(16000, pair.Target.Frames);
            Assert.DoesNotContain(pair.Plan.Target, pair.Plan.Context);
        }
    }
}
