// stemgen-train-bench: training throughput of StemGen model presets, measured through the real
// trainer (StemGenTrainer: batch, Fig. 4 mask, condition dropout, forward, masked-token loss,
// backward, gradient clipping, AdamW) on synthetic tokens, with validation and checkpoints off.
// bench/pytorch_train_step.py runs the same step in PyTorch; bench/train_run.sh prints the ratio.

using System.Globalization;
using System.Text.Json;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;

var presets = new[] { "tiny", "small" };
int batch = 8, frames = 250, steps = 6, warmup = 2, threads = Environment.ProcessorCount;
var json = false;
var device = "cpu";
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        int Positive(string name) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"{name} needs a positive integer");
        switch (args[i])
        {
            case "--presets": presets = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
            case "--batch": batch = Positive("--batch"); break;
            case "--frames": frames = Positive("--frames"); break;
            case "--steps": steps = Positive("--steps"); break;
            case "--warmup": warmup = int.TryParse(Value(), out var w) && w >= 0 ? w : throw new ArgumentException("--warmup needs a non-negative integer"); break;
            case "--threads": threads = Positive("--threads"); break;
            case "--device": device = Value(); break;
            case "--json": json = true; break;
            default: throw new ArgumentException($"unknown option '{args[i]}' (use --presets tiny,small --batch 8 --frames 250 --steps 6 --warmup 2 --threads N --device cpu|cuda --json)");
        }
    }
    foreach (var p in presets) StemGenConfig.Preset(p);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"stemgen-train-bench: {e.Message}");
    return 2;
}

TorchRuntime.Threads = threads;
var target = Device.Parse(device);
var results = new List<object>();
if (!json)
    Console.WriteLine($"StemGen training bench: libtorch {TorchRuntime.Version}, {TorchRuntime.Threads} threads, {target}, batch {batch} x {frames} frames, " +
                      $"{warmup} warm-up + {steps} timed steps");
foreach (var preset in presets)
{
    var config = StemGenConfig.Preset(preset);
    var training = TrainingConfig.Paper with
    {
        BatchSize = batch,
        MaxSteps = warmup + steps,
        LogInterval = 1,
        ValidationInterval = long.MaxValue / 2,
        CheckpointInterval = long.MaxValue / 2,
        EarlyStoppingPatience = 0,
        WarmupSteps = 1,
        HoldSteps = 1_000_000,
    };
    var data = new SyntheticTokenSource(config.Levels, config.CodebookSize, config.Categories, frames, shift: 1);
    var dir = Directory.CreateTempSubdirectory("stemgen-train-bench-").FullName;
    var stepMs = new List<double>();
    try
    {
        using var trainer = StemGenTrainer.Create(dir, config, training, data, target);
        var tokensPerStep = (double)batch * config.Levels * frames;
        // Each progress event covers one step: its tokens/s gives the step's wall time.
        trainer.Run(new Inline(p => { if (p.Step > warmup) stepMs.Add(1000 * tokensPerStep / p.TokensPerSecond); }));
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }
    var sorted = stepMs.Order().ToArray();
    var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    var tokens = (double)batch * config.Levels * frames;
    // Model FLOPs per step: 6 x parameters x positions (one position per frame carries all levels' tokens).
    var modelFlops = 6.0 * config.ParameterCount * batch * frames;
    results.Add(new
    {
        preset, @params = config.ParameterCount, median_ms = median, min_ms = sorted[0], steps_ms = stepMs, tokens_per_step = tokens, tokens_per_s = tokens / median * 1000,
        model_flops_per_step = modelFlops, model_flops_per_s = modelFlops / median * 1000,
        bf16_autocast = training.MixedPrecision && target.Type == DeviceType.CUDA,
    });
    if (!json)
        Console.WriteLine($"{preset,-6} {config.ParameterCount,12:N0} params  median {median,9:F1} ms/step  min {sorted[0],9:F1}  {tokens / median * 1000,10:N0} target tokens/s");
}
if (json)
    Console.WriteLine(JsonSerializer.Serialize(new { impl = "csharp", torch = TorchRuntime.Version, threads = TorchRuntime.Threads, device = target.ToString(), batch, frames, warmup, steps, results }));
return 0;

internal sealed class Inline(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
