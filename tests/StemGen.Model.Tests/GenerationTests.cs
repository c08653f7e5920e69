using StemGen.Audio;
using StemGen.Data;
using StemGen.Model.Codec;
using StemGen.Model.Generation;
using StemGen.Model.Sampling;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Tests;

/// <summary>
/// The generation service end to end on a tiny random codec (32 kHz, hop 640, 2 x 16 codes) and a
/// tiny random transformer with the same token interface, decoding with steps [2, 1].
/// </summary>
public sealed class GenerationTests : IDisposable
{
    private static readonly StemGenConfig ModelConfig = StemGenConfig.Tiny with
    {
        Levels = 2,
        CodebookSize = 16,
        ModelDim = 32,
        Heads = 2,
        Layers = 1,
        MaxSequence = 256,
    };

    private static readonly SamplingOptions Fast = SamplingOptions.Best with { StepsPerLevel = [2, 1], Seed = 5 };

    private static readonly AudioBuffer Ok = Tone(32000, 1.0);

    private readonly StemGenerator generator = NewGenerator();

    public void Dispose() => generator.Dispose();

    private static StemGenerator NewGenerator(double maxContextSeconds = 60, GenerationWindow? window = null)
    {
        using var g = new Generator(21);
        return new StemGenerator(new EncodecModel(CodecTestData.Micro), new StemGenModel(ModelConfig, g), maxContextSeconds, window, ownsModels: true);
    }

    private static AudioBuffer Tone(int rate, double seconds, int channels = 1, double frequency = 220, float amplitude = 0.3f)
    {
        var audio = new AudioBuffer(channels, (int)Math.Round(seconds * rate), rate);
        for (var c = 0; c < channels; c++)
        {
            var samples = audio.Channel(c);
            for (var n = 0; n < samples.Length; n++)
                samples[n] = amplitude * (float)Math.Sin(2 * Math.PI * frequency * n / rate + c) * (1 + 0.5f * (float)Math.Sin(2 * Math.PI * 3 * n / rate));
        }
        return audio;
    }

    /// <summary>Chords, chirps and noise bursts one after the other at 32 kHz (tokens that change over time).</summary>
    private static AudioBuffer Varied(double seconds)
    {
        var clips = CodecTestData.SyntheticClips(seed: 4, samples: 3200).Take((int)Math.Round(seconds * 10)).SelectMany(c => c).ToArray();
        return new AudioBuffer(clips, 1, 32000);
    }

    private static GenerationRequest Request(params AudioBuffer[] context) =>
        new() { Context = context, Category = InstrumentCategory.Bass, Sampling = Fast };

    private static long[] Flat(long[,] tokens) => tokens.Cast<long>().ToArray();

    [Theory]
    [InlineData(44100, 0.5, 1)]
    [InlineData(48000, 1.3, 2)]
    [InlineData(22050, 0.77, 1)]
    [InlineData(32000, 1.0, 1)]
    public void Generation_output_has_the_context_rate_and_length(int rate, double seconds, int channels)
    {
        var context = Tone(rate, seconds, channels);
        var stem = Assert.Single(generator.Generate(Request(context)).Stems);
        Assert.Equal(rate, stem.Audio.SampleRate);
        Assert.Equal(context.Frames, stem.Audio.Frames);
        Assert.Equal(1, stem.Audio.Channels);
        var codecSamples = (long)Math.Round(context.Frames * 32000.0 / rate);
        Assert.Equal(new[] { ModelConfig.Levels, (int)CodecTestData.Micro.FramesFor(codecSamples) }, new[] { stem.Tokens.GetLength(0), stem.Tokens.GetLength(1) });
        Assert.All(stem.Audio.Samples, x => Assert.True(float.IsFinite(x)));
        Assert.True(stem.Audio.Peak() > 0, "the decoded stem is not silence");
    }

    [Fact]
    public void Generation_resamples_context_stems_to_the_first_stems_rate_and_keeps_the_longest_length()
    {
        var stem = Assert.Single(generator.Generate(Request(Tone(44100, 1.0), Tone(22050, 1.5, channels: 2))).Stems);
        Assert.Equal(44100, stem.Audio.SampleRate);
        Assert.Equal((int)Math.Round(1.5 * 44100), stem.Audio.Frames);
    }

    private static AudioBuffer WithNaN()
    {
        var audio = Tone(32000, 1.0);
        audio.Samples[100] = float.NaN;
        return audio;
    }

    private static readonly Dictionary<string, (Func<GenerationRequest> Make, string Says)> BadRequests = new()
    {
        ["no context"] = (() => Request(), "no context"),
        ["null stem"] = (() => Request(Ok, null!), "context stem 2 is missing"),
        ["empty stem"] = (() => Request(Ok, new AudioBuffer(1, 0, 32000)), "context stem 2 is empty"),
        ["silent context"] = (() => Request(new AudioBuffer(1, 32000, 32000), new AudioBuffer(2, 16000, 44100)), "the context is silent"),
        ["NaN samples"] = (() => Request(WithNaN()), "context stem 1 has NaN or infinite samples"),
        ["unknown category"] = (() => Request(Ok) with { Category = (InstrumentCategory)18 }, "unsupported instrument category 18"),
        ["negative steps"] = (() => Request(Ok) with { Sampling = Fast with { StepsPerLevel = [2, -1] } }, "steps of level 1 must be positive"),
        ["steps for other levels"] = (() => Request(Ok) with { Sampling = Fast with { StepsPerLevel = [2, 1, 1, 1] } }, "lists 4 levels but the model has 2"),
        ["NaN temperature"] = (() => Request(Ok) with { Sampling = Fast with { Temperature = double.NaN } }, "temperature must be positive"),
        ["negative guidance"] = (() => Request(Ok) with { Sampling = Fast with { Guidance = new GuidanceOptions(-1, 3) } }, "lambda_a must not be negative"),
        ["NaN guidance"] = (() => Request(Ok) with { Sampling = Fast with { Guidance = new GuidanceOptions(3, double.NaN) } }, "lambda_i must be a finite number"),
        ["NaN ranking weight"] = (() => Request(Ok) with { Sampling = Fast with { RankingWeights = new RankingWeights(double.NaN, 0.1, 1) } }, "w_c must be a finite number"),
        ["no variations"] = (() => Request(Ok) with { Variations = 0 }, "variations must be 1 to 16"),
        ["too many variations"] = (() => Request(Ok) with { Variations = 17 }, "variations must be 1 to 16"),
        ["region past the end"] = (() => Request(Ok) with { Region = new TimeRegion(0.5, 1.5) }, "after the end of the 1 s context"),
        ["empty region"] = (() => Request(Ok) with { Region = new TimeRegion(0.6, 0.6) }, "is empty"),
        ["negative region"] = (() => Request(Ok) with { Region = new TimeRegion(-0.1, 0.5) }, "before the context"),
        ["NaN region"] = (() => Request(Ok) with { Region = new TimeRegion(double.NaN, 0.5) }, "must be finite"),
        ["existing stem without region"] = (() => Request(Ok) with { ExistingStem = Ok }, "give the region to regenerate"),
        ["existing stem of another length"] = (() => Request(Ok) with { Region = new TimeRegion(0.2, 0.4), ExistingStem = Tone(32000, 0.9) }, "must be equally long"),
        ["existing stem with NaN"] = (() => Request(Ok) with { Region = new TimeRegion(0.2, 0.4), ExistingStem = WithNaN() }, "existing stem has NaN"),
    };

    public static TheoryData<string> BadRequestNames()
    {
        var names = new TheoryData<string>();
        foreach (var name in BadRequests.Keys) names.Add(name);
        return names;
    }

    [Theory]
    [MemberData(nameof(BadRequestNames))]
    public void Generation_refuses_a_bad_request_before_any_model_work(string name)
    {
        var (make, says) = BadRequests[name];
        var e = Assert.Throws<GenerationRequestException>(() => generator.Generate(make()));
        Assert.Contains(says, e.Message);
        Assert.Equal(0, generator.ModelCalls);
    }

    [Fact]
    public void Generation_refuses_a_context_longer_than_the_limit_before_any_model_work()
    {
        using var limited = NewGenerator(maxContextSeconds: 0.5);
        var e = Assert.Throws<GenerationRequestException>(() => limited.Generate(Request(Tone(48000, 0.75))));
        Assert.Equal("the context is 0.75 s long; this generator accepts at most 0.5 s", e.Message);
        Assert.Equal(0, limited.ModelCalls);
    }

    [Fact]
    public void Generation_with_the_same_seed_gives_the_same_stem()
    {
        var request = Request(Tone(32000, 1.0));
        var a = Assert.Single(generator.Generate(request).Stems);
        var b = Assert.Single(generator.Generate(request).Stems);
        Assert.Equal(Flat(a.Tokens), Flat(b.Tokens));
        Assert.Equal(a.Audio.Samples, b.Audio.Samples);
        var other = Assert.Single(generator.Generate(request with { Sampling = Fast with { Seed = 6 } }).Stems);
        Assert.NotEqual(Flat(a.Tokens), Flat(other.Tokens));
    }

    [Fact]
    public void Generation_variations_have_their_own_tokens()
    {
        var stems = generator.Generate(Request(Tone(32000, 1.0)) with { Variations = 3 }).Stems;
        Assert.Equal(3, stems.Count);
        for (var i = 0; i < 3; i++)
            for (var j = i + 1; j < 3; j++)
                Assert.NotEqual(Flat(stems[i].Tokens), Flat(stems[j].Tokens));
        // One batched forward pass per decoding step for all variations: 2 codec calls + 3 steps.
        Assert.Equal(2 + 3, generator.ModelCalls);
    }

    [Fact]
    public void Generation_inpainting_keeps_the_existing_tokens_and_audio_outside_the_region()
    {
        var context = Tone(32000, 2.0, frequency: 110);
        var existing = Varied(2.0);
        var expected = generator.Codec.EncodeMono(existing.Channel(0));     // [Q, T] with T = 100
        Assert.True(Flat(expected).Distinct().Count() > 1, "the existing stem's tokens vary, so keeping them means something");

        var result = generator.Generate(Request(context) with { Region = new TimeRegion(0.5, 1.25), ExistingStem = existing, Variations = 2 });
        const int first = 25, last = 63;                                      // frames 25..62 touch [0.5, 1.25) s at 50 frames/s
        foreach (var stem in result.Stems)
        {
            Assert.Equal(0, stem.StartFrame);
            Assert.Equal(100, stem.Tokens.GetLength(1));
            var changed = 0;
            for (var q = 0; q < 2; q++)
                for (var t = 0; t < 100; t++)
                {
                    if (t < first || t >= last) Assert.Equal(expected[q, t], stem.Tokens[q, t]);
                    else if (expected[q, t] != stem.Tokens[q, t]) changed++;
                }
            Assert.True(changed > 0, "the region was regenerated");
            // Outside the region and its 20 ms cross-fades the stem is the existing stem itself.
            for (var n = 0; n < existing.Frames; n++)
                if (n < 16000 - 330 || n >= 40000 + 330) Assert.Equal(existing.Samples[n], stem.Audio.Samples[n]);
        }
    }

    [Fact]
    public void Generation_inpainting_of_a_long_stem_works_on_one_window_around_the_region()
    {
        using var windowed = NewGenerator(window: new GenerationWindow(24, 8));
        var existing = Varied(4.0);                                            // 200 frames
        var result = windowed.Generate(Request(Tone(32000, 4.0, frequency: 110)) with { Region = new TimeRegion(1.0, 1.2), ExistingStem = existing });
        var stem = Assert.Single(result.Stems);
        // Region frames [50, 60) widened by the 8-frame overlap each side: [42, 68), one decoded window.
        Assert.Equal(42, stem.StartFrame);
        Assert.Equal(26, stem.Tokens.GetLength(1));
        Assert.Equal(2 + 3 + 1, windowed.ModelCalls);                          // encode context and stem, 3 steps, decode
        var expected = windowed.Codec.EncodeMono(existing.Channel(0).Slice(42 * 640, 26 * 640));
        for (var q = 0; q < 2; q++)
            for (var t = 0; t < 26; t++)
                if (t < 8 || t >= 18) Assert.Equal(expected[q, t], stem.Tokens[q, t]);
        Assert.Equal(existing.Frames, stem.Audio.Frames);
        for (var n = 0; n < existing.Frames; n++)
            if (n < 32000 - 330 || n >= 38400 + 330) Assert.Equal(existing.Samples[n], stem.Audio.Samples[n]);
    }

    [Fact]
    public void Generation_of_a_region_alone_decodes_only_its_frames_and_is_silent_elsewhere()
    {
        var stem = Assert.Single(generator.Generate(Request(Tone(32000, 2.0)) with { Region = new TimeRegion(0.5, 1.25) }).Stems);
        Assert.Equal(25, stem.StartFrame);
        Assert.Equal(63 - 25, stem.Tokens.GetLength(1));
        Assert.Equal(64000, stem.Audio.Frames);
        for (var n = 0; n < stem.Audio.Frames; n++)
            if (n < 16000 - 330 || n >= 40000 + 330) Assert.Equal(0f, stem.Audio.Samples[n]);
        Assert.True(stem.Audio.Slice(16330, 40000 - 16330 - 330).Peak() > 0);
    }

    [Fact]
    public void Generation_progress_counts_every_step_up_to_the_total()
    {
        var reports = new ListProgress<GenerationProgress>();
        generator.Generate(Request(Tone(32000, 1.0)), reports);
        var decoding = reports.Reports.Where(r => r.Phase == "decoding").ToList();
        Assert.Equal("encoding", reports.Reports[0].Phase);
        Assert.Equal("done", reports.Reports[^1].Phase);
        Assert.Equal(new[] { 1, 2, 3 }, decoding.Select(r => r.CompletedSteps));
        Assert.All(reports.Reports, r => Assert.Equal(3, r.TotalSteps));
        Assert.Equal(new[] { (0, 1), (0, 2), (1, 1) }, decoding.Select(r => (r.Level, r.Step)));
        Assert.All(decoding, r => Assert.NotNull(r.Remaining));
        Assert.Equal(1.0, reports.Reports[^1].Fraction);
    }

    [Fact]
    public void Generation_longer_than_the_window_runs_in_overlapping_windows_over_the_full_length()
    {
        using var windowed = NewGenerator(window: new GenerationWindow(24, 8));
        var context = Tone(44100, 2.0);                                        // 100 frames at 50 frames/s
        var reports = new ListProgress<GenerationProgress>();
        var stem = Assert.Single(windowed.Generate(Request(context), reports).Stems);
        Assert.Equal(context.Frames, stem.Audio.Frames);
        Assert.Equal(100, stem.Tokens.GetLength(1));
        var windows = new GenerationWindow(24, 8).Plan(0, 100);
        Assert.Equal(new[] { (0, 24), (16, 40), (32, 56), (48, 72), (64, 88), (76, 100) }, windows);
        var decoding = reports.Reports.Where(r => r.Phase == "decoding").ToList();
        Assert.Equal(Enumerable.Range(1, 6 * 3), decoding.Select(r => r.CompletedSteps));
        Assert.Equal(Enumerable.Range(1, 6).SelectMany(w => Enumerable.Repeat(w, 3)), decoding.Select(r => r.Window));
        Assert.All(decoding, r => Assert.Equal((6, 18), (r.Windows, r.TotalSteps)));
    }

    [Fact]
    public void Generation_windows_keep_the_already_generated_overlap_fixed()
    {
        var source = new RecordingSource(new StemGenLogitsSource(generator.Model));
        var window = new GenerationWindow(24, 8);
        var decoder = new WindowedDecoder(source, Fast with { Guidance = GuidanceOptions.None }, window);
        using var g = new Generator(9);
        using var context = Tensors.RandInt(0, 16, [1, 2, 100], g);
        var final = decoder.Decode(context, (long)InstrumentCategory.Bass, variations: 2, from: 0, to: 100).ToArray<long>(); // (2, 2, 100)
        Assert.DoesNotContain(16L, final);

        var plan = window.Plan(0, 100);
        Assert.Equal(plan.Count * 3, source.Calls.Count);                    // 3 steps per window, no guidance: one pass each
        var contextValues = context.ToArray<long>();
        for (var w = 0; w < plan.Count; w++)
        {
            var (start, end) = plan[w];
            var n = end - start;
            var overlapEnd = w == 0 ? start : plan[w - 1].End;
            foreach (var (ctx, target) in source.Calls.Skip(3 * w).Take(3))
                for (var b = 0; b < 2; b++)
                    for (var q = 0; q < 2; q++)
                        for (var f = 0; f < n; f++)
                        {
                            Assert.Equal(contextValues[q * 100 + start + f], ctx[(b * 2 + q) * n + f]);
                            if (start + f < overlapEnd) Assert.Equal(final[(b * 2 + q) * 100 + start + f], target[(b * 2 + q) * n + f]);
                        }
        }
    }

    [Fact]
    public void Generation_windows_default_to_the_models_training_crop_or_twenty_seconds()
    {
        var codec = CodecConfig.Tiny;                                           // 50 frames/s
        Assert.Equal(new GenerationWindow(1000, 250), StemGenerator.DefaultWindow(codec, StemGenConfig.Tiny));
        Assert.Equal(new GenerationWindow(500, 125), StemGenerator.DefaultWindow(codec, StemGenConfig.Tiny with { TrainingFrames = 500 }));
        Assert.Equal(new GenerationWindow(256, 64), StemGenerator.DefaultWindow(codec, ModelConfig));        // capped by MaxSequence
        Assert.Throws<ArgumentException>(() => (StemGenConfig.Tiny with { TrainingFrames = 4096 }).Validate());
    }

    [Fact]
    public void Generation_with_one_window_decodes_exactly_as_the_iterative_decoder()
    {
        var source = new StemGenLogitsSource(generator.Model);
        using var g = new Generator(10);
        using var context = Tensors.RandInt(0, 16, [1, 2, 40], g);
        var windowed = new WindowedDecoder(source, Fast, new GenerationWindow(64, 8)).Decode(context, 4, variations: 2, from: 0, to: 40);
        var direct = new IterativeDecoder(source, Fast).DecodeVariations(context, Tensor.FromArray(new long[] { 4 }, 1), 2);
        Assert.Equal(direct.Tokens.ToArray<long>(), windowed.ToArray<long>());
    }

    [Fact]
    public void Generation_stops_within_one_step_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var reports = new List<GenerationProgress>();
        var progress = new ActionProgress(p =>
        {
            reports.Add(p);
            if (p.Phase == "decoding") cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => generator.Generate(Request(Tone(32000, 1.0)), progress, cancel.Token));
        Assert.Single(reports, r => r.Phase == "decoding");
        Assert.DoesNotContain(reports, r => r.Phase is "rendering" or "done");
    }

    [Fact]
    public void Generation_cancelled_before_it_starts_does_no_model_work()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => generator.Generate(Request(Ok), cancellationToken: cancel.Token));
        Assert.Equal(0, generator.ModelCalls);
    }

    [Fact]
    public void Generation_load_refuses_a_model_trained_on_another_codec()
    {
        var dir = Directory.CreateTempSubdirectory("stemgen-generation-");
        try
        {
            using var trainedOn = new EncodecModel(CodecTestData.Micro);
            using var other = new EncodecModel(CodecTestData.Micro);
            using var g = new Generator(3);
            using var model = new StemGenModel(ModelConfig, g);
            var (codecPath, otherPath, checkpoint) = (Path.Combine(dir.FullName, "codec.safetensors"), Path.Combine(dir.FullName, "other.safetensors"), Path.Combine(dir.FullName, "model.safetensors"));
            trainedOn.Save(codecPath);
            other.Save(otherPath);
            ModelCheckpoint.Save(checkpoint, model, trainedOn.ComputeIdentity(), step: 7);

            var e = Assert.Throws<InvalidDataException>(() => StemGenerator.Load(otherPath, checkpoint, Device.CPU));
            Assert.Contains(trainedOn.ComputeIdentity(), e.Message);
            Assert.Contains(other.ComputeIdentity(), e.Message);

            using var loaded = StemGenerator.Load(codecPath, checkpoint, Device.CPU, maxContextSeconds: 30);
            Assert.StartsWith("CPU", loaded.Device);
            Assert.Equal(30, loaded.MaxContextSeconds);
            Assert.Equal(16000, Assert.Single(loaded.Generate(Request(Tone(16000, 1.0))).Stems).Audio.SampleRate);

            var missing = Assert.Throws<FileNotFoundException>(() => StemGenerator.Load(codecPath, Path.Combine(dir.FullName, "nope.safetensors")));
            Assert.Contains("model checkpoint not found", missing.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Generation_refuses_a_codec_whose_tokens_the_model_cannot_read()
    {
        using var codec = new EncodecModel(CodecTestData.Micro with { Levels = 3 });
        using var model = new StemGenModel(ModelConfig);
        var e = Assert.Throws<InvalidDataException>(() => new StemGenerator(codec, model));
        Assert.Contains("the model reads 2 levels x 16 codes, but the codec makes 3 x 16", e.Message);
    }

    [Fact]
    public void Generation_shipped_models_are_found_beside_the_solution_or_explain_what_is_missing()
    {
        var dir = Directory.CreateTempSubdirectory("stemgen-shipped-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, ShippedModels.SolutionFileName), "");
            var deep = Directory.CreateDirectory(Path.Combine(dir.FullName, "src", "bin", "Release"));
            Assert.Equal(Path.Combine(dir.FullName, "models"), ShippedModels.ModelsFolder(deep.FullName));
            var e = Assert.Throws<FileNotFoundException>(() => ShippedModels.CodecPath(Path.Combine(dir.FullName, "missing.safetensors")));
            Assert.Contains("codec weights not found", e.Message);
            Assert.Contains("--codec", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Records the context and target tokens of every call, then asks the real model.</summary>
    private sealed class RecordingSource(ILogitsSource inner) : ILogitsSource
    {
        public List<(long[] Context, long[] Target)> Calls { get; } = [];

        public int Levels => inner.Levels;

        public int CodebookSize => inner.CodebookSize;

        public Tensor LevelLogits(int level, Tensor context, Tensor target, Tensor category, Tensor dropContext, Tensor dropCategory)
        {
            Calls.Add((context.Contiguous().ToArray<long>(), target.Contiguous().ToArray<long>()));
            return inner.LevelLogits(level, context, target, category, dropContext, dropCategory);
        }
    }

    private sealed class ActionProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
