// stemgen-bench: times one LLaMA-style transformer block, forward + backward, through the
// StemGen.Torch binding. bench/pytorch_block.py runs the identical block with PyTorch and the
// same harness; bench/run.sh runs both and prints the ratio.

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StemGen.Bench;
using StemGen.Torch;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"stemgen-bench: {e.Message}\n\n{Options.Usage}");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(Options.Usage);
    return 0;
}

Device device;
try
{
    device = Device.Parse(options.Device);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"stemgen-bench: {e.Message}");
    return 2;
}
if (device.Type == DeviceType.CUDA && !TorchRuntime.Cuda.IsAvailable)
{
    Console.Error.WriteLine("stemgen-bench: --device cuda, but this libtorch sees no CUDA device");
    return 2;
}
TorchRuntime.Threads = options.Threads;

var results = new List<SizeResult>();
if (!options.Json)
{
    Console.WriteLine($"StemGen.Torch bench: libtorch {TorchRuntime.Version}, {TorchRuntime.Threads} intra-op threads, " +
                      $"device {device}, {options.Warmup} warm-up + {options.Steps} timed steps per size");
    Console.WriteLine($"{"size (BxTxDxH)",-20} {"hidden",7} {"params",10} {"median ms",10} {"mean ms",10} {"min ms",10}  loss");
}

foreach (var size in options.Sizes)
{
    var result = Bench.Run(size, options, device);
    results.Add(result);
    if (!options.Json)
        Console.WriteLine($"{size,-20} {result.Hidden,7} {result.Params,10} {result.MedianMs,10:F2} {result.MeanMs,10:F2} {result.MinMs,10:F2}  {result.Loss:G9}");
}

if (options.Json)
{
    var report = new Report("csharp", TorchRuntime.Version, TorchRuntime.Threads, device.ToString(), options.Warmup, options.Steps, results);
    Console.WriteLine(JsonSerializer.Serialize(report, Report.JsonOptions));
}
return 0;

namespace StemGen.Bench
{
    /// <summary>Batch x sequence length x d_model x heads, written "4x256x512x8".</summary>
    public sealed record Size(long Batch, long SeqLen, long Dim, long Heads)
    {
        public static Size Parse(string text)
        {
            var parts = text.Split('x', StringSplitOptions.TrimEntries);
            if (parts.Length != 4 || !parts.All(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0))
                throw new ArgumentException($"bad size '{text}': expected BATCHxSEQxDMODELxHEADS, e.g. 4x256x512x8");
            var v = parts.Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            return new Size(v[0], v[1], v[2], v[3]);
        }

        public override string ToString() => $"{Batch}x{SeqLen}x{Dim}x{Heads}";
    }

    public sealed record Options(IReadOnlyList<Size> Sizes, int Steps, int Warmup, int Threads, bool Json, string Device, bool Help)
    {
        public const string DefaultSizes = "1x32x64x2,4x64x128x4,2x128x256x4,1x256x512x8";

        public const string Usage = """
            usage: stemgen-bench [options]
              --sizes S,S,..   sizes as BATCHxSEQxDMODELxHEADS (default 1x32x64x2,4x64x128x4,2x128x256x4,1x256x512x8)
              --steps N        timed steps per size (default 8)
              --warmup N       untimed warm-up steps per size (default 2)
              --threads N      libtorch intra-op threads (default: all cores)
              --device D       cpu or cuda[:N] (default cpu)
              --json           print one JSON object instead of the table
            """;

        public static Options Parse(string[] args)
        {
            var sizes = DefaultSizes;
            int steps = 8, warmup = 2, threads = Environment.ProcessorCount;
            var json = false;
            var help = false;
            var device = "cpu";
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int Positive(string name) =>
                    int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                        ? n : throw new ArgumentException($"{name} needs a positive integer");
                switch (args[i])
                {
                    case "--sizes": sizes = Value(); break;
                    case "--steps": steps = Positive("--steps"); break;
                    case "--warmup":
                        warmup = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var w)
                            ? w : throw new ArgumentException("--warmup needs a non-negative integer");
                        break;
                    case "--threads": threads = Positive("--threads"); break;
                    case "--device": device = Value(); break;
                    case "--json": json = true; break;
                    case "-h" or "--help": help = true; break;
                    default: throw new ArgumentException($"unknown option '{args[i]}'");
                }
            }
            var parsed = sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Size.Parse).ToList();
            if (parsed.Count == 0) throw new ArgumentException("--sizes lists no size");
            return new Options(parsed, steps, warmup, threads, json, device, help);
        }
    }

    public sealed record SizeResult(
        long Batch, long SeqLen, long Dim, long Heads, long Hidden, long Params,
        double MedianMs, double MeanMs, double MinMs, double MaxMs, double[] StepsMs,
        double Loss, double GradAbsSum);

    public sealed record Report(
        string Impl, string Torch, int Threads, string Device, int Warmup, int Steps, IReadOnlyList<SizeResult> Results)
    {
        public static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    }

    public static class Bench
    {
        public static SizeResult Run(Size size, Options options, Device device)
        {
            using var block = new LlamaBlock(size.Dim, size.Heads, device);
            block.InitDeterministic();
            var parameters = block.Parameters().ToArray();
            var (cos, sin) = LlamaBlock.RotaryTables(size.SeqLen, block.HeadDim, device);
            using var cosTable = cos;
            using var sinTable = sin;
            using var x = Input(size, device);

            // One untimed step to check the work: loss and the sum of |grad| over all parameters
            // (pytorch_block.py prints the same two numbers for the same weights).
            double loss, gradAbsSum = 0;
            using (TorchRuntime.NewDisposeScope())
            {
                var l = block.Forward(x, cosTable, sinTable).Square().Mean();
                l.Backward();
                loss = l.ToDouble();
                foreach (var p in parameters) gradAbsSum += p.Grad!.Abs().Sum().ToDouble();
                block.ZeroGrad();
            }

            var sync = device.Type == DeviceType.CUDA;
            for (var i = 0; i < options.Warmup; i++) Step(block, x, cosTable, sinTable, sync);
            var times = new double[options.Steps];
            for (var i = 0; i < options.Steps; i++)
            {
                var start = Stopwatch.GetTimestamp();
                Step(block, x, cosTable, sinTable, sync);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            var sorted = times.Order().ToArray();
            var n = sorted.Length;
            var median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            return new SizeResult(size.Batch, size.SeqLen, size.Dim, size.Heads, block.Hidden, block.ParameterCount,
                median, times.Average(), sorted[0], sorted[^1], times, loss, gradAbsSum);
        }

        /// <summary>One training step without the optimiser: forward, loss, backward, zero grads; all temporaries freed at the end.</summary>
        private static void Step(LlamaBlock block, Tensor x, Tensor cos, Tensor sin, bool sync)
        {
            using (TorchRuntime.NewDisposeScope())
            {
                var loss = block.Forward(x, cos, sin).Square().Mean();
                loss.Backward();
                block.ZeroGrad();
            }
            if (sync) TorchRuntime.Cuda.Synchronize();
        }

        /// <summary>The input, (B, T, D) = sin(0.37 i), identical in pytorch_block.py.</summary>
        private static Tensor Input(Size size, Device device)
        {
            using var scope = TorchRuntime.NewDisposeScope();
            return Tensors.Arange(0, size.Batch * size.SeqLen * size.Dim, 1, ScalarType.Float32, device)
                .Mul(0.37).Sin().Reshape(size.Batch, size.SeqLen, size.Dim).MoveToOuterScope();
        }
    }
}
