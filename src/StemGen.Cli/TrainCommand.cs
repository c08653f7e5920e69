using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using StemGen.Data.Tokens;
using StemGen.Model;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Cli;

/// <summary>
/// `stemgen train`: trains the StemGen model on the token cache of an import (paper section 3),
/// resuming when the run folder holds a checkpoint; prints progress and validation lines and
/// exports the best model as RUN/model.safetensors. `--export-only` writes that file from the run
/// as it is (while it trains, too).
/// </summary>
internal static class TrainCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Model size for a new run: tiny, small or paper.", DefaultValueFactory = _ => "tiny" };
        var data = new Option<string?>("--data") { Description = "Import folder with manifest.json (from `stemgen import`)." };
        var codec = new Option<string?>("--codec") { Description = "Codec .safetensors; tokens come from the cache of this codec (encoded first when missing)." };
        var run = new Option<string>("--run") { Description = "Run folder: checkpoint.safetensors (resumed when present), best.safetensors, model.safetensors, data.json.", Required = true };
        var cache = new Option<string?>("--cache") { Description = "Token cache folder (default: <data>/tokens)." };
        var steps = new Option<long?>("--steps") { Description = "Train for this many steps; the tri-stage schedule (paper proportions 10:50:300) and early-stopping patience (a third) are fitted to it. Default: the preset's schedule." };
        var batch = new Option<int?>("--batch") { Description = "Pairs per step (default: the preset's; paper 40, tiny 8)." };
        var seqFrames = new Option<int>("--seq-frames") { Description = "Crop length in codec frames (paper: 1000 = 20 s at 50 Hz).", DefaultValueFactory = _ => 1000 };
        var learningRate = new Option<double?>("--lr") { Description = "Peak learning rate (default: the preset's; paper 5e-4)." };
        var contextDropout = new Option<double?>("--context-dropout") { Description = "Probability of dropping the context of an example (default 0.2)." };
        var dropContext = new Option<bool>("--drop-context-always") { Description = "Never show the context (context dropout 1): the baseline that shows what listening adds." };
        var seed = new Option<ulong>("--seed") { Description = "Run seed: initialisation, batches, masks and dropout derive from it.", DefaultValueFactory = _ => 1 };
        var submixes = new Option<int>("--submixes") { Description = "Context submixes per segment in the token cache.", DefaultValueFactory = _ => TrainingDataSettings.DefaultSubmixes };
        var submixSeed = new Option<long>("--submix-seed") { Description = "Seed of the submix recipes (as `stemgen tokens build --seed`).", DefaultValueFactory = _ => TrainingDataSettings.DefaultSubmixSeed };
        var encodeSeconds = new Option<double>("--encode-seconds") { Description = "Use only the first S seconds of each segment (0: all); as `stemgen tokens build --encode-seconds`.", DefaultValueFactory = _ => 0 };
        var validationPairs = new Option<int>("--validation-pairs") { Description = "Fixed validation pairs from the validation split.", DefaultValueFactory = _ => TrainingDataSettings.DefaultValidationPairs };
        var validateEvery = new Option<long?>("--validate-every") { Description = "Steps between validations (default: steps / 24, at most 1000)." };
        var checkpointEvery = new Option<long?>("--checkpoint-every") { Description = "Steps between checkpoints (default: as --validate-every)." };
        var checkpointMinutes = new Option<double>("--checkpoint-minutes") { Description = "Also checkpoint when this many minutes passed since the last checkpoint (0: by steps only)." };
        var logEvery = new Option<long>("--log-every") { Description = "Steps between progress lines.", DefaultValueFactory = _ => 10 };
        var patience = new Option<long?>("--patience") { Description = "Stop when validation accuracy has not improved for this many steps (0: never)." };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or best.", DefaultValueFactory = _ => "best" };
        var jobs = new Option<int>("--jobs") { Description = "Segments encoded at once when the cache lacks tokens.", DefaultValueFactory = _ => 1 };
        var init = new Option<string?>("--init") { Description = "A new run starts from this model's weights (a model.safetensors of the same preset and codec, e.g. models/stemgen-tiny.safetensors): fine-tuning on other data." };
        var exportOnly = new Option<bool>("--export-only") { Description = "Only write RUN/model.safetensors from the run's best model (or its latest checkpoint) and print its validation." };
        var listeningCheck = new Option<bool>("--listening-check") { Description = "Only validate the run's best model with and without its context (and each level fully masked): does it listen?" };

        var command = new Command("train", "Train the StemGen model on an import's codec tokens (resumes the run in --run when it has a checkpoint).");
        foreach (var o in new Option[]
                 {
                     preset, data, codec, run, cache, steps, batch, seqFrames, learningRate, contextDropout, dropContext, seed, submixes, submixSeed, encodeSeconds,
                     validationPairs, validateEvery, checkpointEvery, checkpointMinutes, logEvery, patience, device, jobs, init, exportOnly, listeningCheck,
                 })
            command.Options.Add(o);

        command.SetAction((parseResult, cancellationToken) => Task.FromResult(CommandErrors.Run(() =>
        {
            var runDir = parseResult.GetValue(run)!;
            if (parseResult.GetValue(exportOnly)) return Export(runDir);

            // Numbers first: nothing is loaded or written for a bad command line.
            var givenSteps = parseResult.GetValue(steps);
            if (givenSteps is <= 0) throw new UsageException($"--steps must be positive, not {givenSteps}");
            if (parseResult.GetValue(batch) is { } b && b < 1) throw new UsageException($"--batch must be at least 1, not {b}");
            var frames = parseResult.GetValue(seqFrames);
            if (frames < 1) throw new UsageException($"--seq-frames must be at least 1, not {frames}");
            if (parseResult.GetValue(learningRate) is { } lr && !(lr > 0 && lr < 1)) throw new UsageException($"--lr must be in (0, 1), not {lr.ToString(Inv)}");
            if (parseResult.GetValue(contextDropout) is { } p && !(p is >= 0 and <= 1)) throw new UsageException($"--context-dropout must be in [0, 1], not {p.ToString(Inv)}");
            if (parseResult.GetValue(dropContext) && parseResult.GetValue(contextDropout) is { } p2 && p2 != 1)
                throw new UsageException($"--drop-context-always contradicts --context-dropout {p2.ToString(Inv)}");
            if (parseResult.GetValue(submixes) < 1) throw new UsageException($"--submixes must be at least 1, not {parseResult.GetValue(submixes)}");
            if (!(parseResult.GetValue(encodeSeconds) >= 0)) throw new UsageException($"--encode-seconds must be 0 (all) or positive, not {parseResult.GetValue(encodeSeconds).ToString(Inv)}");
            if (parseResult.GetValue(validationPairs) < 1) throw new UsageException($"--validation-pairs must be at least 1, not {parseResult.GetValue(validationPairs)}");
            if (parseResult.GetValue(validateEvery) is < 1) throw new UsageException("--validate-every must be at least 1");
            if (parseResult.GetValue(checkpointEvery) is < 1) throw new UsageException("--checkpoint-every must be at least 1");
            if (!(parseResult.GetValue(checkpointMinutes) >= 0)) throw new UsageException("--checkpoint-minutes must be 0 or positive");
            if (parseResult.GetValue(logEvery) < 1) throw new UsageException("--log-every must be at least 1");
            if (parseResult.GetValue(patience) is < 0) throw new UsageException("--patience must be 0 (never stop early) or positive");
            if (parseResult.GetValue(jobs) < 1) throw new UsageException("--jobs must be at least 1");
            var target = CommandErrors.ParseDevice(parseResult.GetValue(device));
            var presetName = parseResult.GetValue(preset)!;
            if (!StemGenConfig.PresetNames.Contains(presetName.Trim().ToLowerInvariant()))
                throw new UsageException($"unknown --preset '{presetName}' (use {string.Join(", ", StemGenConfig.PresetNames)})");

            var resuming = StemGenTrainer.HasCheckpoint(runDir);
            if (parseResult.GetValue(listeningCheck) && !resuming) throw new UsageException($"--listening-check needs a run with a checkpoint; {runDir} has none");
            if (!resuming && Directory.Exists(runDir) && File.Exists(Path.Combine(runDir, StemGenTrainer.BestModelFile)))
                throw new UsageException($"--run {runDir} holds a best model but no checkpoint: choose another folder");
            using var opened = TokenData.Open(parseResult.GetValue(data), parseResult.GetValue(codec), parseResult.GetValue(cache));
            StoredRun? stored = null;
            if (resuming)
            {
                stored = StoredRun.Read(runDir);
                // Checked before any token is encoded: a run only continues on its own codec's tokens.
                if (stored.Codec != opened.Tokenizer.CodecIdentity)
                    throw new UsageException($"--run {runDir} was trained with codec {stored.Codec}, but --codec is {opened.Tokenizer.CodecIdentity}: use the run's codec, or another --run folder");
            }

            var settings = new TrainingDataSettings(frames, parseResult.GetValue(submixes), parseResult.GetValue(submixSeed), parseResult.GetValue(validationPairs),
                parseResult.GetValue(encodeSeconds));
            if (resuming)
            {
                var saved = TrainingDataSettings.Read(runDir);
                if (saved is not null)
                {
                    if (saved != settings && new Option[] { seqFrames, submixes, submixSeed, validationPairs, encodeSeconds }.Any(o => Given(parseResult, o)))
                        throw new UsageException($"--run {runDir} reads its data with {saved}; a resumed run keeps them (leave out --seq-frames/--submixes/--submix-seed/--validation-pairs/--encode-seconds)");
                    settings = saved;
                }
            }

            var modelConfig = BuildModelConfig(parseResult, presetName, opened, frames, dropContext, contextDropout);
            if (stored is not null)
            {
                var modelGiven = Given(parseResult, preset) || Given(parseResult, contextDropout) || Given(parseResult, dropContext);
                if (modelGiven && modelConfig != stored.Model)
                    throw new UsageException($"--run {runDir} holds a run of another model (preset/context dropout); leave those options out to resume it, or choose another folder");
                modelConfig = stored.Model;
            }
            var trainingConfig = BuildTrainingConfig(parseResult, presetName, givenSteps, batch, learningRate, seed, validateEvery, checkpointEvery, checkpointMinutes, logEvery, patience);
            if (stored is not null && Given(parseResult, seed) && stored.Seed != trainingConfig.Seed)
                throw new UsageException($"--run {runDir} has seed {stored.Seed}; a resumed run keeps its seed");

            var source = TokenData.OpenSource(opened, settings, parseResult.GetValue(jobs), cancellationToken);
            Directory.CreateDirectory(runDir);
            if (!resuming) settings.Write(runDir);
            using var trainer = StemGenTrainer.CreateOrResume(runDir, modelConfig, trainingConfig, source, target);
            if (parseResult.GetValue(listeningCheck)) return ListeningCheck(trainer, cancellationToken);
            if (parseResult.GetValue(init) is { } initial)
            {
                if (resuming) throw new UsageException($"--init starts a new run; {runDir} already has a checkpoint (resume it without --init, or choose another folder)");
                if (!File.Exists(initial)) throw new UsageException($"--init {initial}: no such file");
                // The checkpoint's metadata says which codec and step it holds; the weights are read once, by the trainer.
                var metadata = SafeTensors.LoadMetadata(initial);
                var codecOfInit = Meta<string>(metadata, initial, CheckpointKeys.Codec);
                if (codecOfInit != source.CodecIdentity)
                    throw new UsageException($"--init {initial} was trained on codec {codecOfInit}, this run's tokens come from {source.CodecIdentity}");
                try { trainer.LoadWeights(initial); }
                catch (InvalidDataException e) { throw new UsageException($"--init: {e.Message}"); }
                Console.WriteLine($"init       weights of {initial} (step {Meta<long>(metadata, initial, CheckpointKeys.Step)})");
            }
            PrintHeader(trainer, source, settings, resuming);
            var outcome = trainer.Run(new InlineProgress<TrainingProgress>(PrintProgress), cancellationToken);
            Console.WriteLine($"stopped    step {outcome.Step}: {outcome.Reason switch
            {
                StopReason.MaxSteps => "reached the last step",
                StopReason.EarlyStopping => "early stopping (validation accuracy stopped improving)",
                _ => "cancelled; run the same command again to resume",
            }}; {(outcome.BestStep < 0 ? "no validation yet" : $"best validation accuracy {Pct(outcome.BestValidationAccuracy)} at step {outcome.BestStep}")}");
            Export(runDir);
            return outcome.Reason == StopReason.Cancelled ? 130 : 0;
        })));
        return command;
    }

    private static bool Given(ParseResult parseResult, Option option) => parseResult.GetResult(option) is { Implicit: false };

    private static StemGenConfig BuildModelConfig(ParseResult parseResult, string presetName, TokenDataset opened, int frames, Option<bool> dropContext, Option<double?> contextDropout)
    {
        var preset = StemGenConfig.Preset(presetName);
        // The model's vocabulary is the codec's.
        return preset.ForTraining(opened.Codec.Config, frames,
            parseResult.GetValue(dropContext) ? 1.0 : parseResult.GetValue(contextDropout) ?? preset.ContextDropout);
    }

    private static TrainingConfig BuildTrainingConfig(ParseResult parseResult, string presetName, long? steps, Option<int?> batch, Option<double?> learningRate,
        Option<ulong> seed, Option<long?> validateEvery, Option<long?> checkpointEvery, Option<double> checkpointMinutes, Option<long> logEvery, Option<long?> patience)
    {
        var config = TrainingConfig.Preset(presetName);
        if (steps is { } n) config = config.FittedTo(n);
        var validation = parseResult.GetValue(validateEvery) ?? config.DefaultValidationInterval;
        return (config with
        {
            BatchSize = parseResult.GetValue(batch) ?? config.BatchSize,
            PeakLearningRate = parseResult.GetValue(learningRate) ?? config.PeakLearningRate,
            Seed = parseResult.GetValue(seed),
            ValidationInterval = validation,
            CheckpointInterval = parseResult.GetValue(checkpointEvery) ?? validation,
            CheckpointSeconds = parseResult.GetValue(checkpointMinutes) * 60,
            LogInterval = parseResult.GetValue(logEvery),
            EarlyStoppingPatience = parseResult.GetValue(patience) ?? config.EarlyStoppingPatience,
        }).Validate();
    }

    private static void PrintHeader(StemGenTrainer trainer, TokenCacheBatchSource source, TrainingDataSettings settings, bool resumed)
    {
        var m = trainer.ModelConfig;
        var t = trainer.Config;
        Console.WriteLine($"run        {trainer.RunDirectory} ({(resumed ? $"resumed at step {trainer.Step}" : "new")})");
        Console.WriteLine($"model      d {m.ModelDim}, {m.Heads} heads, {m.Layers} layers, {m.Levels} x {m.CodebookSize} codes, {m.ParameterCount:N0} parameters; " +
                          $"dropout context {m.ContextDropout.ToString(Inv)}, category {m.CategoryDropout.ToString(Inv)}");
        Console.WriteLine($"training   {t.MaxSteps} steps, batch {t.BatchSize} x {settings.SeqFrames} frames{(settings.EncodeSeconds > 0 ? $" (from the first {settings.EncodeSeconds.ToString(Inv)} s of each segment)" : "")}, lr {t.PeakLearningRate.ToString(Inv)} " +
                          $"(warm-up {t.WarmupSteps}, hold {t.HoldSteps}, decay {t.DecaySteps}), seed {t.Seed}, validate/checkpoint every {t.ValidationInterval}/{t.CheckpointInterval}, " +
                          $"patience {t.EarlyStoppingPatience}, {trainer.Device}, {TorchRuntime.Threads} threads");
        var s = source.Train.Summary;
        Console.WriteLine($"data       train {s.Segments} segments ({s.Stems} stems, {s.Submixes} submixes{(s.SegmentsTooShort > 0 ? $", {s.SegmentsTooShort} too short for a crop" : "")}), " +
                          $"{source.ValidationPairs.Count} validation pairs; chance accuracy {Pct(1.0 / m.CodebookSize)}");
        Console.WriteLine($"codec      {source.CodecIdentity}");
    }

    private static void PrintProgress(TrainingProgress p)
    {
        Console.WriteLine(string.Create(Inv,
            $"step {p.Step}/{p.MaxSteps}  loss {p.Loss:0.000}  acc [{Levels(p.LevelAccuracy)}]  lr {p.LearningRate:0.00e+0}  |g| {p.GradNorm:0.00}  {p.TokensPerSecond:N0} tokens/s  eta {Eta(p.Eta)}"));
        if (p.Validation is { } v)
            Console.WriteLine(string.Create(Inv,
                $"validation step {v.Step}  loss {v.Loss:0.000} [{Losses(v.LevelLoss)}]  acc {Pct(v.Accuracy)} [{Levels(v.LevelAccuracy)}]  " +
                $"best {Pct(p.BestValidationAccuracy)} at step {p.BestStep}"));
    }

    private static string Levels(IEnumerable<double> values) => string.Join(" ", values.Select(Pct));

    private static string Pct(double value) => double.IsNaN(value) ? "-" : (100 * value).ToString("0.00", Inv) + "%";

    private static string Eta(TimeSpan? eta) => eta is { } e ? DataCommands.Clock(e.TotalSeconds) : "-";

    /// <summary>Prints the library's <see cref="Model.Training.ListeningCheck"/>: with the context, without it, and the gain, for both kinds of masks.</summary>
    private static int ListeningCheck(StemGenTrainer trainer, CancellationToken cancellationToken)
    {
        var result = Model.Training.ListeningCheck.Run(trainer, cancellationToken);
        Console.WriteLine($"listening  {(result.BestModel ? $"best model (step {result.ModelStep})" : $"latest checkpoint (step {result.ModelStep})")}, " +
                          $"context dropout {result.ContextDropout.ToString(Inv)}; chance accuracy {Pct(1.0 / trainer.ModelConfig.CodebookSize)}");
        foreach (var (masks, figures) in new[] { ("training masks    ", result.TrainingMasks), ("level masked whole", result.WholeLevel) })
        {
            var deaf = figures.WithoutContext;
            if (figures.WithContext is not { } heard)
            {
                Console.WriteLine($"{masks}  context dropped  loss {deaf.Loss.ToString("0.000", Inv)} [{Losses(deaf.LevelLoss)}]  acc {Pct(deaf.Accuracy)} [{Levels(deaf.LevelAccuracy)}]");
                continue;
            }
            Console.WriteLine($"{masks}  with context     loss {heard.Loss.ToString("0.000", Inv)} [{Losses(heard.LevelLoss)}]  acc {Pct(heard.Accuracy)} [{Levels(heard.LevelAccuracy)}]");
            Console.WriteLine($"{masks}  context dropped  loss {deaf.Loss.ToString("0.000", Inv)} [{Losses(deaf.LevelLoss)}]  acc {Pct(deaf.Accuracy)} [{Levels(deaf.LevelAccuracy)}]");
            Console.WriteLine($"{masks}  context gain     loss {(deaf.Loss - heard.Loss).ToString("+0.000;-0.000", Inv)} nats/token, " +
                              $"acc {(100 * (heard.Accuracy - deaf.Accuracy)).ToString("+0.00;-0.00", Inv)} points");
        }
        return 0;
    }

    private static string Losses(IEnumerable<double> values) => string.Join(" ", values.Select(l => l.ToString("0.000", Inv)));

    /// <summary>Writes RUN/model.safetensors with the library's <see cref="TrainingExport"/> and prints what it holds.</summary>
    private static int Export(string runDir)
    {
        if (!Directory.Exists(runDir)) throw new UsageException($"--run {runDir}: no such folder");
        if (TrainingExport.SourceOf(runDir) is null) throw new UsageException($"--run {runDir}: no best.safetensors or checkpoint.safetensors to export");
        var exported = TrainingExport.Export(runDir);
        var validation = exported.Validation;
        Console.WriteLine($"exported   {exported.Path} (step {exported.Step}, from {Path.GetFileName(exported.From)})" +
                          (validation is null ? "" : $"; validation accuracy {Pct(validation.Accuracy)} [{Levels(validation.LevelAccuracy)}], loss {validation.Loss.ToString("0.000", Inv)}"));
        return 0;
    }

    /// <summary>What an existing run's checkpoint says about itself (read from its metadata, no tensors).</summary>
    /// <summary>One value of a checkpoint's metadata (JSON), or an error naming the file and key.</summary>
    private static T Meta<T>(IReadOnlyDictionary<string, string> metadata, string path, string key) =>
        metadata.TryGetValue(key, out var json) && JsonSerializer.Deserialize<T>(json) is { } value
            ? value : throw new InvalidDataException($"{path}: no '{key}' in the checkpoint's metadata");

    private sealed record StoredRun(string Codec, StemGenConfig Model, ulong Seed)
    {
        public static StoredRun Read(string runDir)
        {
            var path = Path.Combine(runDir, StemGenTrainer.CheckpointFile);
            var metadata = SafeTensors.LoadMetadata(path);
            return new StoredRun(Meta<string>(metadata, path, CheckpointKeys.Codec), Meta<StemGenConfig>(metadata, path, CheckpointKeys.ModelConfig),
                Meta<ulong>(metadata, path, CheckpointKeys.Seed));
        }
    }
}
