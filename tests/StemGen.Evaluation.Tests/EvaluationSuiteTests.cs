using StemGen.Audio;
using StemGen.Data;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Coherence;
using StemGen.Evaluation.Fad;
using StemGen.Evaluation.Mir;
using StemGen.Evaluation.Suite;
using StemGen.Model.Generation;
using StemGen.Model.Sampling;

namespace StemGen.Evaluation.Tests;

/// <summary>The evaluation suite end to end on a tiny import written by the test, with test generators whose answers are known.</summary>
public sealed class EvaluationSuiteTests : IDisposable
{
    private const int Rate = 16000;
    private readonly string root = Directory.CreateTempSubdirectory("stemgen-eval-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Three songs (different keys and tempi), one 8 s segment each: bass line, piano chords, drum clicks.</summary>
    /// <param name="folder">Where the import goes (default: the test's root); <paramref name="transpose"/> shifts every song's key.</param>
    /// <param name="denseDrums">
    /// Drums as 0.2 s noise bursts on every half beat instead of 20 ms clicks, active in most 50 Hz frames, so the
    /// pair procedure's overlap rule (target and context active together in half the frames) lets them be targets.
    /// </param>
    private ImportManifest WriteImport(string? folder = null, int transpose = 0, bool denseDrums = false)
    {
        var root = folder ?? this.root;
        var tracks = new List<ImportedTrack>();
        (int Tonic, double Bpm)[] songs = [(0 + transpose, 100), (7 + transpose, 120), (3 + transpose, 90)];
        for (var s = 0; s < songs.Length; s++)
        {
            var id = $"Track{s + 1:00000}";
            var dir = Directory.CreateDirectory(Path.Combine(root, "test", id, "000")).FullName;
            var (tonic, bpm) = songs[s];
            var beat = 60 / bpm;
            var bass = new float[8 * Rate];
            var piano = new float[8 * Rate];
            for (var t = 0.0; t < 7.6; t += beat) Signals.AddTone(bass, 36 + tonic + ((int)(t / beat) % 2 == 0 ? 0 : 7), t, beat * 0.8, 0.3, Rate);
            for (var bar = 0; bar < 4; bar++)
                foreach (var interval in new[] { 0, 4, 7 }) Signals.AddTone(piano, 60 + tonic + (bar % 2 == 0 ? 0 : 5) + interval, bar * 2, 2, 0.12, Rate);
            var drums = denseDrums ? Bursts(beat / 2, 8, seed: s) : Signals.Clicks(bpm, 8, 4, Rate, seed: s);
            var stems = new (string Id, InstrumentCategory Category, float[] Samples)[] { ("S00", InstrumentCategory.Bass, bass), ("S01", InstrumentCategory.Piano, piano), ("S02", InstrumentCategory.Drums, drums) };
            foreach (var stem in stems) AudioFile.Write(Path.Combine(dir, stem.Id + ".wav"), new AudioBuffer(stem.Samples, 1, Rate));
            tracks.Add(new ImportedTrack
            {
                Split = "test", Id = id, Source = dir, Seconds = 8,
                Stems = stems.Select(x => new ImportedStem { Id = x.Id, Category = x.Category, Seconds = 8, IsDrum = x.Category == InstrumentCategory.Drums }).ToList(),
                Segments = [new ImportedSegment { Index = 0, Start = 0, Frames = 8 * Rate, Stems = stems.Select(x => new SegmentStem(x.Id, $"test/{id}/000/{x.Id}.wav", 1)).ToList() }],
            });
        }
        var manifest = new ImportManifest { Source = root, SampleRate = Rate, SegmentSeconds = 60, MinSegmentSeconds = 4, Format = "wavf", Tracks = tracks, Summary = ImportSummary.Of(tracks, [], Rate) };
        manifest.Save(Path.Combine(root, ImportManifest.FileName));
        return ImportManifest.Load(root);
    }

    /// <summary>Decaying noise bursts (0.2 s, time constant 50 ms) every <paramref name="period"/> seconds.</summary>
    private static float[] Bursts(double period, double seconds, int seed)
    {
        var buffer = new float[(int)(seconds * Rate)];
        var rng = new Random(seed);
        for (var t = 0.0; t < seconds; t += period)
            for (int i = 0, start = (int)(t * Rate); i < (int)(0.2 * Rate) && start + i < buffer.Length; i++)
                buffer[start + i] += (float)(0.3 * Math.Exp(-i / (0.05 * Rate)) * (rng.NextDouble() * 2 - 1));
        return buffer;
    }

    /// <summary>Returns the real stem of the context it is given (the examples' buffers are looked up by reference).</summary>
    private sealed class OracleGenerator(IReadOnlyList<EvaluationExample> examples) : IStemGenerator
    {
        public List<GenerationRequest> Requests { get; } = [];
        public string Device => "test oracle";
        public double MaxContextSeconds => 30;
        public GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            Requests.Add(request);
            var example = examples.Single(e => ReferenceEquals(e.Context, request.Context[0]));
            Assert.Equal(example.Category, request.Category);
            return new GenerationResult([new GeneratedStem(example.RealStem, new long[4, 1])], Device, TimeSpan.Zero);
        }
    }

    /// <summary>White noise of the context's length: nothing musical.</summary>
    private sealed class NoiseGenerator : IStemGenerator
    {
        public string Device => "test noise";
        public double MaxContextSeconds => 30;
        public GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var rng = new Random((int)request.Sampling.Seed);
            var context = request.Context[0];
            var noise = new float[context.Frames];
            for (var i = 0; i < noise.Length; i++) noise[i] = (float)(0.2 * (rng.NextDouble() * 2 - 1));
            return new GenerationResult([new GeneratedStem(new AudioBuffer(noise, 1, context.SampleRate), new long[4, 1])], Device, TimeSpan.Zero);
        }
    }

    [Fact]
    public void Examples_follow_the_pair_procedure_and_are_reproducible()
    {
        var manifest = WriteImport();
        var a = EvaluationExamples.Draw(manifest, "test", 6, 4, seed: 5);
        var b = EvaluationExamples.Draw(manifest, "test", 6, 4, seed: 5);
        Assert.Equal(6, a.Count);
        Assert.Equal(a.Select(e => e.Plan), b.Select(e => e.Plan), EqualityComparer<Data.Pairs.PairPlan>.Create((x, y) => x!.Track == y!.Track && x.Target == y.Target && x.CropStart == y.CropStart && x.Context.SequenceEqual(y.Context)));
        Assert.All(a, e =>
        {
            Assert.DoesNotContain(e.Plan.Target, e.Plan.Context);
            Assert.Equal(4 * Rate, e.Context.Frames);
            Assert.Equal(4 * Rate, e.RealStem.Frames);
            Assert.NotNull(e.Mismatched);
            Assert.DoesNotContain(e.Plan.Track, e.MismatchSource);
        });
        Assert.Contains("splits in this import: test", Assert.Throws<InvalidOperationException>(() => EvaluationExamples.Draw(manifest, "validation", 2, 4, 1)).Message);
    }

    [Fact]
    public void An_oracle_scores_like_the_real_stems_and_noise_scores_worse()
    {
        var manifest = WriteImport();
        var examples = EvaluationExamples.Draw(manifest, "test", 6, 4, seed: 3);
        var reference = ReferenceSet.Compute(examples, new LogMelStatisticsEmbedding(), parallelism: 2);
        var template = new SamplingOptions { StepsPerLevel = [4, 2, 2, 2] };
        var points = EvaluationGrid.Parse("table3", template, [3], [0.1]);

        var oracle = new OracleGenerator(examples);
        var oracleRunner = new EvaluationRunner(oracle, reference, 2, seed: 3);
        var results = points.Select(p => oracleRunner.Run(p)).ToList();
        var best = results.Single(r => r.Cell == "best");
        Assert.Equal(0, best.Fad.Fad, 9);
        Assert.Equal(0, best.Mirdd.Mirdd, 12);
        Assert.Equal(24, best.Fad.TestEmbeddings); // 6 clips x 4 s -> 4 VGGish-framed examples each
        Assert.Null(best.Fad.FadInfinity);
        Assert.Contains("FAD-inf skipped", best.Fad.Warning);
        // KAD of a set against itself is the small negative -2 (1 - mean k) / n; every setting shares the reference's median bandwidth.
        Assert.NotNull(best.Fad.Kad);
        Assert.InRange(best.Fad.Kad.Mmd2, -2.0 / 24, -1e-12);
        Assert.Equal(reference.KadBandwidth.Bandwidth, best.Fad.Kad.Bandwidth);
        Assert.Contains("reference embeddings", best.Fad.Kad.BandwidthRule);
        Assert.Equal(best.Real.KeyScore, best.Generated.KeyScore, 12);
        Assert.Equal(best.Real.ChordToneRatio, best.Generated.ChordToneRatio, 12);
        // Each point generated every example with its own options and the example's seed.
        Assert.Equal(12, oracle.Requests.Count);
        Assert.Equal(1.0, oracle.Requests[0].Sampling.Guidance.ContextScale);
        Assert.Equal(0.0, oracle.Requests[0].Sampling.RankingWeights.Causal);
        Assert.Equal(3.0, oracle.Requests[6].Sampling.Guidance.ContextScale);
        Assert.Equal(0.1, oracle.Requests[6].Sampling.RankingWeights.Causal);
        Assert.Equal([4, 2, 2, 2], oracle.Requests[6].Sampling.StepsPerLevel);
        Assert.Equal(oracle.Requests[0].Sampling.Seed, oracle.Requests[6].Sampling.Seed);

        var noise = new EvaluationRunner(new NoiseGenerator(), reference, 2, seed: 3).Run(points[1]);
        Assert.True(noise.Fad.Fad > 1, $"noise FAD {noise.Fad.Fad}");
        Assert.True(noise.Fad.Kad!.Mmd2 > 0.1, $"noise KAD {noise.Fad.Kad.Mmd2}");
        Assert.Equal(best.Fad.Kad.Bandwidth, noise.Fad.Kad.Bandwidth);
        Assert.True(noise.Mirdd.Mirdd > 0.1, $"noise MIRDD {noise.Mirdd.Mirdd}");
        Assert.NotNull(noise.Mismatched);

        // The baseline scores the mismatched stems as the generated ones: both coherence rows must agree.
        var baseline = EvaluationRunner.RunMismatchedBaseline(reference, 2);
        Assert.Equal(baseline.Mismatched!.ChordToneRatio, baseline.Generated.ChordToneRatio, 12);
        Assert.Equal(baseline.Mismatched.OnsetAlignment, baseline.Generated.OnsetAlignment, 12);
        Assert.True(baseline.Fad.Fad > 0);

        var report = new EvaluationReport
        {
            Dataset = root, Split = "test", Generator = "oracle", Device = oracle.Device, Embedding = reference.Embedding.Name,
            EmbeddingDescription = reference.Embedding.Description, Examples = examples.Count, ClipSeconds = 4, Seed = 3,
            Categories = new Dictionary<string, int>(), Points = [.. results, noise],
        };
        var csv = report.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, csv.Length);
        var header = csv[0].Split(',');
        Assert.Contains("mirdd_key_signature", header);
        Assert.Contains("mismatched_onset_alignment", header);
        Assert.Contains("kad_x1000", header);
        Assert.Contains("kad_bandwidth", header);
        Assert.Contains("\"kadTimes1000\"", report.ToJson());
        Assert.NotNull(report.Cells.First(c => c.Table == "table3").KadTimes1000);
        Assert.All(csv, line => Assert.Equal(header.Length, SplitCsv(line).Count));
        Assert.Contains("\"embedding\": \"logmel-stats\"", report.ToJson());
        Assert.Equal(2, report.Cells.Count(c => c.Table == "table3"));
    }

    [Fact]
    public void Grids_list_the_papers_settings()
    {
        var template = new SamplingOptions();
        var t1 = EvaluationGrid.Table1(template, [2, 3]);
        Assert.Equal(7, t1.Count);
        Assert.Contains(t1, p => p.Cell == "li=1 la=1" && p.Sampling.Guidance == GuidanceOptions.None);
        Assert.Contains(t1, p => p.Cell == "li>1 la=1" && p.Sampling.Guidance.CategoryScale == 2 && p.Sampling.Guidance.ContextScale == 1);
        var t2 = EvaluationGrid.Table2(template, [0, 0.1, 0.2, 0.5]);
        Assert.Equal([0, 0.1, 0.2, 0.5], t2.Select(p => p.Sampling.RankingWeights.Causal));
        Assert.All(t2, p => Assert.Equal(3.0, p.Sampling.Guidance.ContextScale));
        var t3 = EvaluationGrid.Table3(template);
        Assert.Equal(SamplingOptions.Naive.Guidance, t3[0].Sampling.Guidance);
        Assert.Equal(0.0, t3[0].Sampling.RankingWeights.Causal);
        Assert.Equal(SamplingOptions.Best.RankingWeights, t3[1].Sampling.RankingWeights);
        Assert.Contains("unknown run 'table9'", Assert.Throws<ArgumentException>(() => EvaluationGrid.Parse("table9", template, [3], [0])).Message);
        Assert.Contains("greater than 1", Assert.Throws<ArgumentException>(() => EvaluationGrid.Table1(template, [1])).Message);
    }

    [Fact]
    public void The_steps_grid_scales_the_papers_schedule_from_each_first_level_count()
    {
        var template = new SamplingOptions(); // the paper's 128, 64, 32, 32
        var grid = EvaluationGrid.Steps(template, [128, 8, 2, 1]);
        Assert.Equal(["S=128", "S=8", "S=2", "S=1"], grid.Select(p => p.Cell));
        Assert.All(grid, p => Assert.Equal("steps", p.Table));
        Assert.Equal([128, 64, 32, 32], grid[0].Sampling.StepsPerLevel); // S = 128 is the paper's schedule
        Assert.Equal([8, 4, 2, 2], grid[1].Sampling.StepsPerLevel);
        Assert.Equal([2, 1, 1, 1], grid[2].Sampling.StepsPerLevel); // never below one step
        Assert.Equal([1, 1, 1, 1], grid[3].Sampling.StepsPerLevel);
        Assert.All(grid, p => Assert.Equal(SamplingOptions.Best.Guidance, p.Sampling.Guidance));
        Assert.All(grid, p => Assert.Equal(SamplingOptions.Best.RankingWeights, p.Sampling.RankingWeights));
        Assert.Equal(["steps S=4", "steps S=8"], EvaluationGrid.Parse("steps", template, [3], [0], [4, 8, 4]).Select(p => p.Name));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-4.0)]
    [InlineData(2.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void The_steps_grid_refuses_counts_that_are_not_whole_numbers_of_at_least_one(double bad)
    {
        var e = Assert.Throws<ArgumentException>(() => EvaluationGrid.Steps(new SamplingOptions(), [4, bad]));
        Assert.Contains("steps grid values must be whole numbers from 1", e.Message);
    }

    [Fact]
    public void The_steps_grid_refuses_an_empty_list()
    {
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => EvaluationGrid.Steps(new SamplingOptions(), [])).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => EvaluationGrid.Parse("steps", new SamplingOptions(), [3], [0])).Message);
    }

    [Fact]
    public void The_suite_reports_every_stage_and_its_report_reads_back_from_json()
    {
        var manifest = WriteImport();
        var plan = EvaluationSuite.Plan("baseline,steps", new SamplingOptions { StepsPerLevel = [2, 1, 1, 1] }, [3], [0], [2, 1]);
        var seen = new List<EvaluationProgress>();
        var report = EvaluationSuite.Run(new NoiseGenerator(), plan, manifest, "test", 4, 2, seed: 5, new LogMelStatisticsEmbedding(), 2, "noise",
            new Recorder(seen), CancellationToken.None);

        // Stages: draw, reference, baseline, two settings; done counts only go up and end at the total.
        Assert.All(seen, p => Assert.Equal(5, p.Total));
        Assert.Equal(seen.Select(p => p.Done).Order(), seen.Select(p => p.Done));
        Assert.Equal(1.0, seen[^1].Fraction);
        Assert.Equal(["starting", "drawing examples", "reference: embeddings and MIR analyses of the real stems", "mismatched baseline", "steps S=2", "steps S=1", "done"],
            seen.Select(p => p.Stage).Distinct());
        Assert.Equal([EvaluationRunner.MismatchedBaseline, "steps S=2", "steps S=1"], report.Points.Select(p => p.Name));
        Assert.Equal(4, report.Examples);

        var back = EvaluationReport.FromJson(report.ToJson());
        Assert.Equal(report.ToCsv(), back.ToCsv());
        Assert.Equal(report.Cells, back.Cells);
        Assert.Equal(report.Points[1].Mirdd.Descriptors.Select(d => d.Kl), back.Points[1].Mirdd.Descriptors.Select(d => d.Kl));
        Assert.True(double.IsNaN(back.Points[0].Sampling.LambdaA)); // the baseline has no sampling settings: NaN survives the JSON
    }

    /// <summary>Keeps every report in order (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Recorder(List<EvaluationProgress> seen) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) => seen.Add(value);
    }

    [Fact]
    public void A_plan_takes_the_baseline_out_of_the_runs()
    {
        var template = new SamplingOptions();
        var plan = EvaluationSuite.Plan("table3, baseline,steps", template, [3], [0], [4]);
        Assert.True(plan.Baseline);
        Assert.Equal(["table3 naive", "table3 best", "steps S=4"], plan.Points.Select(p => p.Name));
        var alone = EvaluationSuite.Plan("baseline", template, [3], [0], [4]);
        Assert.True(alone.Baseline);
        Assert.Empty(alone.Points);
        Assert.Contains("unknown run 'table9'", Assert.Throws<ArgumentException>(() => EvaluationSuite.Plan("table9,baseline", template, [3], [0], [4])).Message);
        Assert.Contains("no run given", Assert.Throws<ArgumentException>(() => EvaluationSuite.Plan("", template, [3], [0], [4])).Message);
    }

    /// <summary>Bass: a 60 Hz sine; anything else: the context ring-modulated up by 3 kHz (its onsets kept, no low end).</summary>
    private sealed class CategoryGenerator : IStemGenerator
    {
        public string Device => "test by category";
        public double MaxContextSeconds => 30;
        public GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var context = request.Context[0];
            var x = context.Channel(0);
            var stem = new float[context.Frames];
            for (var i = 0; i < stem.Length; i++)
            {
                var t = (double)i / context.SampleRate;
                stem[i] = request.Category == InstrumentCategory.Bass ? (float)(0.3 * Math.Sin(2 * Math.PI * 60 * t)) : (float)(x[i] * Math.Sin(2 * Math.PI * 3000 * t));
            }
            return new GenerationResult([new GeneratedStem(new AudioBuffer(stem, 1, context.SampleRate), new long[4, 1])], Device, TimeSpan.Zero);
        }
    }

    [Fact]
    public void Restricted_categories_are_drawn_in_turn_and_another_songs_context_is_of_the_same_category()
    {
        var manifest = WriteImport(denseDrums: true);
        var examples = EvaluationExamples.Draw(manifest, "test", 6, 2, seed: 4, categories: [InstrumentCategory.Bass, InstrumentCategory.Drums]);
        Assert.Equal([InstrumentCategory.Bass, InstrumentCategory.Drums, InstrumentCategory.Bass, InstrumentCategory.Drums, InstrumentCategory.Bass, InstrumentCategory.Drums],
            examples.Select(e => e.Category));
        Assert.Equal(3, examples.Where(e => e.Category == InstrumentCategory.Bass).Select(e => e.Plan.Track).Distinct().Count()); // one of each song
        var again = EvaluationExamples.Draw(manifest, "test", 6, 2, seed: 4, categories: [InstrumentCategory.Bass, InstrumentCategory.Drums]);
        Assert.Equal(examples.Select(e => (e.Plan.Track, e.Plan.Target, e.Plan.CropStart)), again.Select(e => (e.Plan.Track, e.Plan.Target, e.Plan.CropStart)));
        // Without categories the draw is the training procedure, unchanged.
        var free = EvaluationExamples.Draw(manifest, "test", 6, 2, seed: 4);
        Assert.Equal(free.Select(e => e.Plan.Target), EvaluationExamples.Draw(manifest, "test", 6, 2, seed: 4, categories: null).Select(e => e.Plan.Target));

        var others = ReferenceSet.OtherContextsOf(examples);
        for (var i = 0; i < examples.Count; i++)
        {
            var j = Assert.NotNull(others[i]);
            Assert.NotEqual(examples[i].Plan.Track, examples[j].Plan.Track);
            Assert.Equal(examples[i].Category, examples[j].Category);
            Assert.NotEqual(examples[i].MismatchTrack, examples[j].Plan.Track); // three songs: a third one is there
            Assert.Contains(examples[i].MismatchTrack!, examples[i].MismatchSource);
        }
        Assert.All(ReferenceSet.OtherContextsOf(examples.Where(x => x.Plan.Track == examples[0].Plan.Track).ToList()), o => Assert.Null(o)); // one song: no other context
        var e = Assert.Throws<InvalidOperationException>(() => EvaluationExamples.Draw(manifest, "test", 2, 2, seed: 4, categories: [InstrumentCategory.Brass]));
        Assert.Contains("no segment with a Brass stem (categories there: Bass, Drums, Piano)", e.Message);
    }

    [Fact]
    public void A_held_out_set_runs_the_same_plan_and_reports_the_issue_30_figures_side_by_side()
    {
        var manifest = WriteImport(denseDrums: true);
        var heldOutFolder = Directory.CreateDirectory(Path.Combine(root, "heldout")).FullName;
        var heldOut = WriteImport(heldOutFolder, transpose: 2, denseDrums: true);
        var plan = EvaluationSuite.Plan("table3,baseline", new SamplingOptions { StepsPerLevel = [2, 1, 1, 1] }, [3], [0], [2]);
        var seen = new List<EvaluationProgress>();
        var report = EvaluationSuite.RunWithHeldOut(new CategoryGenerator(), plan, manifest, "test", heldOut, "test", 4, 4, seed: 6, new LogMelStatisticsEmbedding(), 2,
            "by category", new Recorder(seen), CancellationToken.None, [InstrumentCategory.Bass, InstrumentCategory.Drums]);

        Assert.Equal(EvaluationReport.InDistributionSet, report.Set);
        Assert.NotNull(report.HeldOut);
        Assert.Equal(EvaluationReport.HeldOutSet, report.HeldOut.Set);
        Assert.Equal(heldOutFolder, report.HeldOut.Dataset);
        Assert.Equal(root, report.Dataset);
        Assert.Equal(report.Points.Select(p => p.Name), report.HeldOut.Points.Select(p => p.Name));
        Assert.All(report.Sets(), s => Assert.Equal(["Bass=2", "Drums=2"], s.Report.Categories.Select(kv => $"{kv.Key}={kv.Value}")));
        // Progress: both runs' stages, counted over both, ending at the total.
        Assert.All(seen, p => Assert.Equal(10, p.Total));
        Assert.Equal(seen.Select(p => p.Done).Order(), seen.Select(p => p.Done));
        Assert.Contains(seen, p => p.Stage == "held-out: table3 best");

        foreach (var (_, r) in report.Sets())
        {
            var best = r.Points.Single(p => p.Name == "table3 best");
            var bass = best.ByCategory!.Single(c => c.Category == "Bass");
            var drums = best.ByCategory!.Single(c => c.Category == "Drums");
            Assert.True(bass.LowShareGenerated > 0.95, $"60 Hz bass: {bass.LowShareGenerated}");
            Assert.True(drums.LowShareGenerated < 0.05, $"ring-modulated drums: {drums.LowShareGenerated}");
            Assert.True(drums.LowShareReal < bass.LowShareReal, $"real drums {drums.LowShareReal} vs real bass {bass.LowShareReal}");
            Assert.Equal(2, drums.Examples);
            Assert.True(double.IsFinite(drums.OnsetGenerated) && double.IsFinite(drums.OnsetOtherContext) && double.IsFinite(drums.OnsetReal),
                $"drums onset own {drums.OnsetGenerated}, other context {drums.OnsetOtherContext}, mismatched {drums.OnsetMismatched}, real {drums.OnsetReal}");
            // The baseline "generates" the mismatched stems: its generated onsets are the mismatched ones.
            var baseline = r.Points.Single(p => p.Table == "baseline").ByCategory!.Single(c => c.Category == "Drums");
            Assert.Equal(baseline.OnsetMismatched, baseline.OnsetGenerated, 12);
            Assert.NotNull(best.Pitched);
            Assert.Equal(2, best.Pitched.Examples); // the Bass examples
        }

        var check = GeneralizationCheck.Of(report);
        foreach (var set in new[] { EvaluationReport.InDistributionSet, EvaluationReport.HeldOutSet })
        {
            Assert.Equal(["naive", "best", "baseline"], check.Where(l => l.Set == set && l.Figure == "bass / drums low share").Select(l => l.Setting));
            var ratio = check.Single(l => l.Set == set && l.Setting == "best" && l.Figure == "bass / drums low share");
            Assert.True(ratio.Pass);
            Assert.True(ratio.Value > 20, $"{ratio.Value}");
            Assert.NotNull(check.Single(l => l.Set == set && l.Setting == "best" && l.Figure == "drums onset own / real").Pass);
            // The real stem of another song has its own low end: the baseline's ratio is the real stems' order of magnitude, far below the test generator's.
            Assert.True(check.Single(l => l.Set == set && l.Setting == "baseline" && l.Figure == "bass / drums low share").Value < ratio.Value);
            var fad = check.Single(l => l.Set == set && l.Figure == "FAD(best) < FAD(naive)");
            Assert.Equal(0, fad.Value, 12); // the test generator ignores the sampling settings
            Assert.False(fad.Pass);
        }

        var csv = report.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("set,name,", csv[0]);
        Assert.Equal(7, csv.Length); // header + 3 points x 2 sets
        Assert.Equal(3, csv.Count(l => l.StartsWith("in-distribution,", StringComparison.Ordinal)));
        Assert.Equal(3, csv.Count(l => l.StartsWith("held-out,", StringComparison.Ordinal)));
        Assert.All(csv, line => Assert.Equal(SplitCsv(csv[0]).Count, SplitCsv(line).Count));
        var categories = report.ToCategoryCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 2 * 3 * 3, categories.Length); // Bass, Drums and pitched for 3 points on 2 sets
        Assert.Contains(categories, l => l.StartsWith("held-out,\"table3 best\",table3,best,Drums,2,", StringComparison.Ordinal));

        // Without a held-out set the CSV keeps its old form; the JSON round trip keeps both sets and the figures.
        Assert.StartsWith("name,", (report with { HeldOut = null, Set = null }).ToCsv());
        Assert.DoesNotContain("\"heldOut\"", (report with { HeldOut = null, Set = null }).ToJson());
        var back = EvaluationReport.FromJson(report.ToJson());
        Assert.Equal(report.ToCsv(), back.ToCsv());
        Assert.Equal(report.ToCategoryCsv(), back.ToCategoryCsv());
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line.TrimEnd('\r'))
        {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
