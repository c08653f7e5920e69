using System.CommandLine;
using System.Globalization;
using StemGen.Audio;
using StemGen.Data;
using StemGen.Model;
using StemGen.Model.Generation;
using StemGen.Model.Sampling;
using StemGen.Torch;

namespace StemGen.Cli;

/// <summary>
/// `stemgen generate`: a stem of a category for context stems, with the shipped tiny model by
/// default (models/ in the checkout, or $STEMGEN_CODEC / $STEMGEN_CHECKPOINT). Several variations
/// are written as NAME-1.wav, NAME-2.wav, ...; with --region and --existing only that region of the
/// existing stem is regenerated.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var context = new Option<string[]>("--context") { Description = "A context stem (repeat for several; they are mixed). The output has the first one's sample rate.", Required = true };
        var category = new Option<string>("--category") { Description = "Instrument category to generate (e.g. Bass, Drums, Piano, \"Synth Lead\", or 0-17).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Audio file to write (format from the extension).", Required = true };
        var preset = new Option<string>("--preset") { Description = "best (the paper's guidance and causal bias), naive (neither) or fast (best with an eighth of the steps).", DefaultValueFactory = _ => "best" };
        var codec = new Option<string?>("--codec") { Description = $"Codec weights (default: $STEMGEN_CODEC or models/{ShippedModels.CodecFileName})." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = $"Model checkpoint (default: $STEMGEN_CHECKPOINT or models/{ShippedModels.CheckpointFileName})." };
        var variations = new Option<int>("--variations") { Description = $"Candidates generated together (1-{StemGenerator.MaxVariations}).", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed and inputs give the same stem.", DefaultValueFactory = _ => 1 };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature (default 1)." };
        var guidanceContext = new Option<double?>("--guidance-context") { Description = "Guidance scale lambda_a on the context mix (1 = off)." };
        var guidanceCategory = new Option<double?>("--guidance-category") { Description = "Guidance scale lambda_i on the category (1 = off)." };
        var steps = new Option<string?>("--steps") { Description = "Decoding steps per level, coarsest first, e.g. 128,64,32,32." };
        var region = new Option<string?>("--region") { Description = "Regenerate only START:END seconds (with --existing: of that stem)." };
        var existing = new Option<string?>("--existing") { Description = "The stem whose --region is regenerated; the rest of it is kept." };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: CUDA when available)." };
        var maxSeconds = new Option<double>("--max-seconds") { Description = "Longest context accepted, in seconds.", DefaultValueFactory = _ => 600 };

        var command = new Command("generate", "Generate a stem of an instrument category that fits the context stems.");
        foreach (var o in new Option[] { context, category, output, preset, codec, checkpoint, variations, seed, temperature, guidanceContext, guidanceCategory, steps, region, existing, device, maxSeconds })
            command.Options.Add(o);
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(CommandErrors.Run(() =>
        {
            var categoryText = parseResult.GetValue(category)!;
            var instrument = InstrumentCategories.Parse(categoryText)
                ?? throw new UsageException($"--category '{categoryText}' is not a category: use one of {string.Join(", ", InstrumentCategories.All.Select(c => c.DisplayName()))}");
            var sampling = Sampling(parseResult.GetValue(preset)!, parseResult.GetValue(seed), parseResult.GetValue(temperature),
                parseResult.GetValue(guidanceContext), parseResult.GetValue(guidanceCategory), parseResult.GetValue(steps));
            var count = parseResult.GetValue(variations);
            var outputPath = Path.GetFullPath(parseResult.GetValue(output)!);
            if (!Directory.Exists(Path.GetDirectoryName(outputPath)))
                throw new UsageException($"-o {outputPath}: the folder {Path.GetDirectoryName(outputPath)} does not exist");
            var timeRegion = parseResult.GetValue(region) is { } regionText ? ParseRegion(regionText) : (TimeRegion?)null;
            var existingPath = parseResult.GetValue(existing);
            if (existingPath is not null && timeRegion is null) throw new UsageException("--existing needs --region START:END (the part to regenerate)");

            // Files first (cheap, and a bad file should not wait for the models to load).
            var stems = parseResult.GetValue(context)!.Select(path => AudioFile.Read(path)).ToList();
            var existingStem = existingPath is null ? null : AudioFile.Read(existingPath);
            var codecPath = ShippedModels.CodecPath(parseResult.GetValue(codec));
            var checkpointPath = ShippedModels.CheckpointPath(parseResult.GetValue(checkpoint));
            var target = CommandErrors.ParseDevice(parseResult.GetValue(device));

            using var generator = StemGenerator.Load(codecPath, checkpointPath, target, parseResult.GetValue(maxSeconds));
            Console.WriteLine($"model {checkpointPath}, codec {codecPath}, on {generator.Device}");
            Console.WriteLine($"{instrument.DisplayName()} for {stems.Count} context stem(s), {Seconds(stems.Max(s => s.Duration.TotalSeconds))} s; " +
                              $"steps [{string.Join(", ", sampling.StepsPerLevel)}], guidance {sampling.Guidance.ContextScale}/{sampling.Guidance.CategoryScale}, seed {sampling.Seed}" +
                              (count > 1 ? $", {count} variations" : ""));
            GenerationResult result;
            try
            {
                result = generator.Generate(new GenerationRequest
                {
                    Context = stems, Category = instrument, Sampling = sampling, Variations = count, Region = timeRegion, ExistingStem = existingStem,
                }, new ProgressLines(), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("cancelled: nothing was written");
                return 130;
            }

            for (var i = 0; i < result.Stems.Count; i++)
            {
                var path = result.Stems.Count == 1 ? outputPath : NumberedPath(outputPath, i + 1);
                var written = AudioFile.Write(path, result.Stems[i].Audio);
                Console.WriteLine($"{path}: {Seconds(result.Stems[i].Audio.Duration.TotalSeconds)} s at {result.Stems[i].Audio.SampleRate} Hz" +
                                  (written.ClippedSamples > 0 ? $" ({written.ClippedSamples} samples clipped)" : ""));
            }
            Console.WriteLine($"done in {Seconds(result.Elapsed.TotalSeconds)} s on {result.Device}");
            return 0;
        })));
        return command;
    }

    private static SamplingOptions Sampling(string preset, ulong seed, double? temperature, double? guidanceContext, double? guidanceCategory, string? steps)
    {
        SamplingOptions options;
        try
        {
            options = SamplingPresets.Get(preset);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"--preset '{preset}': use {string.Join(", ", SamplingPresets.Names)}");
        }
        options = options with { Seed = seed };
        if (temperature is { } t) options = options with { Temperature = t };
        if (guidanceContext is not null || guidanceCategory is not null)
            options = options with
            {
                Guidance = options.Guidance with
                {
                    ContextScale = guidanceContext ?? options.Guidance.ContextScale,
                    CategoryScale = guidanceCategory ?? options.Guidance.CategoryScale,
                },
            };
        if (steps is not null)
        {
            var parts = steps.Split(',', StringSplitOptions.TrimEntries);
            var values = new int[parts.Length];
            for (var i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
                    throw new UsageException($"--steps '{steps}': give whole numbers per level separated by commas, e.g. 128,64,32,32");
            options = options with { StepsPerLevel = values };
        }
        return options; // range checks (and the number of levels) are the generator's, before any model work
    }

    private static TimeRegion ParseRegion(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var start)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var end))
            return new TimeRegion(start, end);
        throw new UsageException($"--region '{text}': use START:END in seconds, e.g. 2.5:6.0");
    }

    /// <summary>bass.wav -> bass-2.wav.</summary>
    private static string NumberedPath(string path, int number) =>
        Path.Combine(Path.GetDirectoryName(path)!, $"{Path.GetFileNameWithoutExtension(path)}-{number}{Path.GetExtension(path)}");

    private static string Seconds(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>One line per level and at most one a second in between, on the calling thread.</summary>
    private sealed class ProgressLines : IProgress<GenerationProgress>
    {
        private TimeSpan? lastLine;
        private (int Window, int Level) lastLevel = (-1, -1);

        public void Report(GenerationProgress p)
        {
            if (p.Phase != "decoding")
            {
                if (p.Phase is "encoding" or "rendering") Console.WriteLine($"{p.Phase}...");
                return;
            }
            var levelDone = p.Step == p.StepsInLevel;
            if (!levelDone && lastLine is { } last && p.Elapsed - last < TimeSpan.FromSeconds(1) && lastLevel == (p.Window, p.Level)) return;
            lastLine = p.Elapsed;
            lastLevel = (p.Window, p.Level);
            var window = p.Windows > 1 ? $"window {p.Window}/{p.Windows}  " : "";
            var eta = p.Remaining is { } r ? $", eta {Clock(r)}" : "";
            Console.WriteLine($"{window}level {p.Level + 1} step {p.Step}/{p.StepsInLevel}  {p.CompletedSteps}/{p.TotalSteps} steps  {Clock(p.Elapsed)}{eta}");
        }

        private static string Clock(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }
}
