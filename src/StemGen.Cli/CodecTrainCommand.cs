using System.CommandLine;
using System.Globalization;
using StemGen.Audio;
using StemGen.Model.Codec;

namespace StemGen.Cli;

/// <summary>
/// `stemgen codec train`: trains a small EnCodec-family codec on the audio files under a folder
/// (e.g. a rendered Slakh-format dataset), resuming when the run folder has a checkpoint, and
/// exports the codec as run/codec.safetensors (HF layout, config in the metadata).
/// </summary>
internal static class CodecTrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Folder searched recursively for .wav/.flac training audio.", Required = true };
        var run = new Option<string>("--run") { Description = "Run folder: checkpoint.safetensors (resumed if present) and codec.safetensors.", Required = true };
        var preset = new Option<string>("--preset") { Description = "Codec size for a new run: tiny, small or official.", DefaultValueFactory = _ => "tiny" };
        var steps = new Option<long>("--steps") { Description = "Train until this step.", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "Clips per step (1 s each).", DefaultValueFactory = _ => 16 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the clip sampler and the trainer.", DefaultValueFactory = _ => 1 };
        var learningRate = new Option<double>("--lr") { Description = "AdamW learning rate.", DefaultValueFactory = _ => 3e-4 };
        var timeWeight = new Option<double>("--time-weight") { Description = "Weight of the time-domain L1 loss (the mel loss has weight 1); larger values favour waveform fidelity (SI-SDR).", DefaultValueFactory = _ => 0.1 };
        var segment = new Option<double>("--segment") { Description = "Clip length in seconds.", DefaultValueFactory = _ => 1.0 };
        var warmup = new Option<long>("--quantizer-warmup") { Description = "Steps trained without the quantizer before the codebooks are initialised from the latents.", DefaultValueFactory = _ => 0 };
        var deadCode = new Option<double>("--dead-code-share") { Description = "A code is replaced when its EMA usage falls below this share of a uniform code's usage per step.", DefaultValueFactory = _ => 0.1 };
        var init = new Option<string?>("--init") { Description = "Start a new run from these codec weights (e.g. models/codec-tiny.safetensors) instead of a fresh --preset codec: fine-tuning on other audio." };
        var command = new Command("train", "Train a small codec of the EnCodec family on audio files.");
        foreach (var o in new Option[] { data, run, preset, steps, batch, seed, learningRate, timeWeight, segment, deadCode, warmup, init }) command.Options.Add(o);
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(CommandErrors.Run(() =>
        {
            var runDir = Directory.CreateDirectory(parseResult.GetValue(run)!).FullName;
            var checkpoint = Path.Combine(runDir, "checkpoint.safetensors");
            var files = AudioFiles(parseResult.GetValue(data)!);
            var totalSteps = parseResult.GetValue(steps);
            if (totalSteps <= 0) throw new UsageException("--steps must be positive");
            var seconds = parseResult.GetValue(segment);
            if (!(seconds is > 0 and <= 30)) throw new UsageException("--segment must be in (0, 30] seconds");
            var options = new CodecTrainingOptions
            {
                BatchSize = parseResult.GetValue(batch),
                Seed = parseResult.GetValue(seed),
                LearningRate = parseResult.GetValue(learningRate),
                TimeWeight = parseResult.GetValue(timeWeight),
                QuantizerWarmupSteps = parseResult.GetValue(warmup),
                SegmentSamples = (int)Math.Round(seconds * CodecConfig.Official32k.SampleRate),
            }.Validate();
            // The EMA usage of a code is in latent vectors per step; a uniform code gets
            // batch * frames / codebook size of them. Small CPU batches need a threshold scaled to
            // that, or nearly every code counts as dead and is re-drawn every step (the codebooks
            // then never settle and the decoder learns nothing from the codes).
            var initial = parseResult.GetValue(init);
            if (initial is not null && !File.Exists(initial)) throw new UsageException($"--init {initial}: no such file");
            var start = initial is null || File.Exists(checkpoint) ? null : EncodecModel.Load(initial);
            var config = start?.Config ?? Preset(parseResult.GetValue(preset)!);
            var uniformUsage = (double)options.BatchSize * options.SegmentSamples / config.HopLength / config.CodebookSize;
            options = options with { Codebooks = options.Codebooks with { DeadCodeThreshold = parseResult.GetValue(deadCode) * uniformUsage } };

            using var trainer = File.Exists(checkpoint)
                ? CodecTrainer.Resume(checkpoint, options)
                : new CodecTrainer(start ?? new EncodecModel(config), options, ownsModel: true);
            Console.WriteLine($"codec {trainer.Model.Config.Describe()}, {trainer.Model.ParameterCount:N0} parameters; " +
                              $"{files.Count} audio files; step {trainer.Step} -> {totalSteps}; dead-code threshold {options.Codebooks.DeadCodeThreshold:0.####} vectors/step");
            var clips = RandomClips(files, trainer.Model.Config.SampleRate, options.SegmentSamples, (int)(options.Seed + (ulong)trainer.Step));
            var progress = new Progress<CodecTrainingProgress>(p =>
            {
                if (p.Step % 10 == 0 || p.Step == p.TotalSteps)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"step {p.Step}/{p.TotalSteps}  loss {p.Losses.Total:0.000} (time {p.Losses.TimeL1:0.0000}, mel {p.Losses.Mel:0.000}, commit {p.Losses.Commitment:0.0000})  {p.StepsPerSecond:0.00} steps/s"));
            });
            // SIGTERM or Ctrl+C stops after the current step; the checkpoint and the export are written either way.
            trainer.Train(clips, totalSteps, progress, checkpoint, checkpointEvery: 100, cancellationToken);
            var export = Path.Combine(runDir, "codec.safetensors");
            trainer.Model.Save(export);
            Console.WriteLine($"saved {export} at step {trainer.Step} (identity {trainer.Model.ComputeIdentity()})");
            return 0;
        })));
        return command;
    }

    private static CodecConfig Preset(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => CodecConfig.Tiny,
        "small" => CodecConfig.Small,
        "official" => CodecConfig.Official32k,
        _ => throw new UsageException($"unknown --preset '{name}' (use tiny, small or official)"),
    };

    private static List<string> AudioFiles(string folder)
    {
        if (!Directory.Exists(folder)) throw new UsageException($"--data {folder}: no such folder");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".flac", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new UsageException($"--data {folder}: no .wav or .flac files");
    }

    /// <summary>
    /// An endless stream of random non-silent clips (mono, codec rate) from random files; decoded
    /// files are kept in memory so later draws cost nothing. Unreadable files are skipped with a note.
    /// </summary>
    private static IEnumerable<float[]> RandomClips(List<string> files, int rate, int length, int seed)
    {
        var random = new Random(seed);
        var cache = new Dictionary<string, float[]?>();
        var misses = 0;
        while (true)
        {
            var file = files[random.Next(files.Count)];
            if (!cache.TryGetValue(file, out var samples))
            {
                try
                {
                    samples = AudioFile.Load(file, rate, ChannelPolicy.Mono).Channel(0).ToArray();
                }
                catch (AudioFormatException e)
                {
                    Console.Error.WriteLine($"skipping {e.Message}");
                    samples = null;
                }
                cache[file] = samples;
            }
            if (samples is null || samples.Length < length)
            {
                if (++misses > 100 * files.Count) throw new UsageException("no usable audio: every file is unreadable or shorter than one clip");
                continue;
            }
            var start = random.Next(samples.Length - length + 1);
            var clip = samples.AsSpan(start, length).ToArray();
            if (AudioBuffer.FromChannels(rate, clip).IsSilent()) continue;
            yield return clip;
        }
    }
}
