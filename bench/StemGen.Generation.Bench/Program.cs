using System.Diagnostics;
using System.Globalization;
using StemGen.Model.Codec;
using StemGen.Model.Sampling;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;

// Iterative decoding speed of StemGen transformers with random weights: the first --max-steps
// steps of a real decode of a --seconds stem (the schedule --steps, default the paper's
// 128,64,32,32) are timed, the first one as warm-up; every step costs one forward pass over the
// whole sequence whatever its level, so the stem's total is the median step x the schedule's steps.
// "guidance" is the paper's eq. 3 (three conditionings in one batch of 3), "none" one pass of batch 1,
// "best" the `best` preset of `stemgen generate` (SamplingOptions.Best: guidance and the causal bias).
// FLOP/s: 2 x (matmul parameters used: blocks + one level's head) x tokens + 4 x layers x T^2 x d
// (attention scores and values) per sequence, over the measured step time (sampling included).
// Usage:
//   StemGen.Generation.Bench [--configs tiny,small,paper] [--seconds 20] [--steps 128,64,32,32]
//                            [--max-steps 5] [--modes none,guidance,best] [--device cpu|cuda] [--save DIR] [--json]
//                            [--whole [--rounds 1]]
// --whole: whole stems instead, decoded by the path of before (logits at every position, attention
// over whole tensors) and by the new one (logits and the last layer at masked positions only, blocked attention),
// alternately in this process, --rounds times each; prints both, their ratio and whether the tokens match.
// --json: the human-readable lines go to stderr and one JSON object to stdout (scripts/gpu-check.sh reads it).
// --save DIR also writes the random CodecConfig.Tiny codec and StemGenConfig.Tiny checkpoint (for
// trying `stemgen generate --codec DIR/codec-tiny.safetensors --checkpoint DIR/stemgen-tiny.safetensors`).
var options = Options.Parse(args);
var device = options.Device ?? Device.CPU;
var log = options.Json ? Console.Error : Console.Out;
var results = new List<object>();
log.WriteLine($"libtorch {TorchRuntime.Version}, {TorchRuntime.Threads} threads, device {device}, {options.Seconds:0.#} s stem, " +
                  $"schedule [{string.Join(",", options.Steps)}] = {options.Steps.Sum()} steps, timing {options.MaxSteps} steps (first = warm-up)");
if (options.Save is { } saveDir) SaveRandomModels(saveDir);

var codecConfig = CodecConfig.Tiny;
var frames = (int)codecConfig.FramesFor((long)Math.Round(options.Seconds * codecConfig.SampleRate));
(double? encodeSeconds, double? decodeSeconds) = (null, null);
if (!options.Whole) (encodeSeconds, decodeSeconds) = CodecSeconds(codecConfig, options.Seconds, device, log);
foreach (var name in options.Configs)
{
    var config = StemGenConfig.Preset(name) with { MaxSequence = Math.Max(frames, StemGenConfig.Preset(name).MaxSequence) };
    using var generator = new Generator(1);
    using var model = new StemGenModel(config, generator);
    model.To(device);
    model.Eval();
    var source = new StemGenLogitsSource(model);
    using var context = Tensors.RandInt(0, config.CodebookSize, [1, config.Levels, frames], generator);
    using var category = Tensors.Zeros([1], ScalarType.Int64);
    foreach (var (label, preset) in new[]
             {
                 ("none", new SamplingOptions { Guidance = GuidanceOptions.None }), ("guidance", new SamplingOptions { Guidance = new GuidanceOptions() }),
                 ("best", SamplingOptions.Best),
             })
    {
        if (!options.Modes.Contains(label)) continue;
        var sampling = preset with { StepsPerLevel = options.Steps, Seed = 1 };
        var batch = Guidance.Terms(sampling.Guidance).Count;
        if (options.Whole)
        {
            WholeStems(name, config, label, batch, sampling);
            continue;
        }
        var stepSeconds = TimeSteps(new IterativeDecoder(source, sampling), context, category, options.MaxSteps, device);
        var median = Median(stepSeconds.Skip(stepSeconds.Count > 1 ? 1 : 0).ToList());
        var flops = batch * ForwardFlops(config, frames);
        results.Add(new
        {
            config = name, @params = config.ParameterCount, mode = label, batch, frames, total_steps = sampling.TotalSteps,
            step_s = median, steps_s = stepSeconds, stem_seconds = median * sampling.TotalSteps, passes_per_s = batch / median,
            flops_per_step = flops, flops_per_s = flops / median,
        });
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-6} {config.ParameterCount / 1e6,7:F1} M params  {label,-8} batch {batch}  T {frames}  step {median * 1000,9:F1} ms  " +
            $"{options.Seconds:0.#} s stem ({sampling.TotalSteps} steps) {median * sampling.TotalSteps,8:F1} s  " +
            $"{flops / 1e9,8:F1} GFLOP/step  {flops / median / 1e9,6:F1} GFLOP/s  [steps ms: {string.Join(" ", stepSeconds.Select(s => (s * 1000).ToString("F0", CultureInfo.InvariantCulture)))}]"));
    }

    // --whole: whole stems, the path of before (every position, unblocked attention) and the new one
    // alternately in this process, --rounds times; same tokens checked.
    void WholeStems(string name, StemGenConfig config, string label, int batch, SamplingOptions sampling)
    {
        var seconds = new Dictionary<string, List<double>> { ["old"] = [], ["new"] = [] };
        var cpuSeconds = new Dictionary<string, List<double>> { ["old"] = [], ["new"] = [] };
        long[]? reference = null;
        var identical = true;
        for (var round = 0; round < options.Rounds; round++)
            foreach (var path in round % 2 == 0 ? new[] { "old", "new" } : ["new", "old"])
            {
                TorchRuntime.BlockedAttention = path == "new";
                var decoder = new IterativeDecoder(source, sampling) { MaskedPositionsOnly = path == "new" };
                using var scope = TorchRuntime.NewDisposeScope();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var result = decoder.Decode(context, category);
                if (device.Type == DeviceType.CUDA) TorchRuntime.Cuda.Synchronize();
                seconds[path].Add(result.Elapsed.TotalSeconds);
                cpuSeconds[path].Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
                var tokens = result.Tokens.Contiguous().ToArray<long>();
                reference ??= tokens;
                identical &= tokens.AsSpan().SequenceEqual(reference);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name} {label} round {round + 1} {path}: {result.Elapsed.TotalSeconds:F2} s ({result.Elapsed.TotalMilliseconds / result.Steps:F1} ms/step), CPU {cpuSeconds[path][^1]:F2} s"));
            }
        TorchRuntime.BlockedAttention = true;
        var (old, @new) = (Median(seconds["old"]), Median(seconds["new"]));
        var (oldCpu, newCpu) = (Median(cpuSeconds["old"]), Median(cpuSeconds["new"]));
        // A shortened schedule (--steps) is scaled to the paper's 256 steps by the mean step.
        var scale = 256.0 / sampling.TotalSteps;
        results.Add(new
        {
            config = name, @params = config.ParameterCount, mode = label, batch, frames, total_steps = sampling.TotalSteps,
            old_step_ms = old / sampling.TotalSteps * 1000, new_step_ms = @new / sampling.TotalSteps * 1000,
            old_stem_s = old * scale, new_stem_s = @new * scale, old_cpu_stem_s = oldCpu * scale, new_cpu_stem_s = newCpu * scale,
            old_runs_s = seconds["old"], new_runs_s = seconds["new"], speedup = old / @new, cpu_speedup = oldCpu / newCpu, same_tokens = identical,
        });
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-6} {config.ParameterCount / 1e6,7:F1} M params  {label,-8} batch {batch}  T {frames}  mean step: " +
            $"old {old / sampling.TotalSteps * 1000:F1} ms, new {@new / sampling.TotalSteps * 1000:F1} ms ({old / @new:F2}x; CPU time {oldCpu / newCpu:F2}x); " +
            $"{options.Seconds:0.#} s stem of 256 steps: old {old * scale:F1} s, new {@new * scale:F1} s ({options.Seconds / (@new * scale):F2}x real time); " +
            $"same tokens: {(identical ? "yes" : "NO")}"));
    }
}
if (options.Json)
    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
    {
        torch = TorchRuntime.Version, threads = TorchRuntime.Threads, device = device.ToString(), seconds = options.Seconds, steps = options.Steps,
        max_steps = options.MaxSteps, codec = new { config = "tiny", encode_s = encodeSeconds, decode_s = decodeSeconds }, results,
    }));
return 0;

// Wall time of each of the first maxSteps steps of a decode (then cancelled).
static List<double> TimeSteps(IterativeDecoder decoder, Tensor context, Tensor category, int maxSteps, Device device)
{
    var times = new List<double>();
    var last = TimeSpan.Zero;
    using var stop = new CancellationTokenSource();
    var progress = new Inline(p =>
    {
        if (device.Type == DeviceType.CUDA) TorchRuntime.Cuda.Synchronize();
        times.Add((p.Elapsed - last).TotalSeconds);
        last = p.Elapsed;
        if (times.Count >= maxSteps) stop.Cancel();
    });
    try
    {
        using var scope = TorchRuntime.NewDisposeScope();
        decoder.Decode(context, category, progress: progress, cancellationToken: stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
    return times;
}

static double ForwardFlops(StemGenConfig c, long t)
{
    double d = c.ModelDim, f = c.FfnWidth, layers = c.Layers;
    var matmulParameters = layers * (4 * d * d + 3 * d * f) + d * c.CodebookSize; // blocks + one level's head
    return 2 * matmulParameters * t + layers * 4 * t * t * d;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// The codec's share of a generation: encode the context mix and decode the stem.
static (double Encode, double Decode) CodecSeconds(CodecConfig config, double seconds, Device device, TextWriter log)
{
    using var codec = new EncodecModel(config);
    codec.To(device);
    codec.Eval();
    using var scope = TorchRuntime.NewDisposeScope();
    var samples = (long)Math.Round(seconds * config.SampleRate);
    var audio = (Tensors.Randn([1, 1, samples]) * 0.1).To(device);
    var clock = Stopwatch.StartNew();
    var codes = codec.EncodeLong(audio);
    if (device.Type == DeviceType.CUDA) TorchRuntime.Cuda.Synchronize();
    var encode = clock.Elapsed.TotalSeconds;
    clock.Restart();
    codec.DecodeLong(codes, samples);
    if (device.Type == DeviceType.CUDA) TorchRuntime.Cuda.Synchronize();
    var decode = clock.Elapsed.TotalSeconds;
    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"codec tiny (random): encode {encode:F2} s + decode {decode:F2} s for {seconds:0.#} s of audio"));
    return (encode, decode);
}

static void SaveRandomModels(string dir)
{
    Directory.CreateDirectory(dir);
    using var codec = new EncodecModel(CodecConfig.Tiny);
    using var generator = new Generator(1);
    using var model = new StemGenModel(StemGenConfig.Tiny, generator);
    codec.Save(Path.Combine(dir, "codec-tiny.safetensors"));
    ModelCheckpoint.Save(Path.Combine(dir, "stemgen-tiny.safetensors"), model, codec.ComputeIdentity(), step: 0);
    Console.WriteLine($"saved random tiny codec and model to {dir}");
}

internal sealed class Inline(Action<DecodingProgress> report) : IProgress<DecodingProgress>
{
    public void Report(DecodingProgress value) => report(value);
}

internal sealed record Options(string[] Configs, double Seconds, int[] Steps, int MaxSteps, Device? Device, string? Save, string[] Modes, bool Json = false,
    bool Whole = false, int Rounds = 1)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(["tiny", "small"], 20, [128, 64, 32, 32], 5, null, null, ["none", "guidance"]);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--configs" => o with { Configs = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--seconds" => o with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--steps" => o with { Steps = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--max-steps" => o with { MaxSteps = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--device" => o with { Device = StemGen.Torch.Device.Parse(Next()) },
                "--save" => o with { Save = Next() },
                "--json" => o with { Json = true },
                "--whole" => o with { Whole = true },
                "--rounds" => o with { Rounds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--modes" => o with { Modes = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.MaxSteps < 1) throw new ArgumentException("--max-steps must be at least 1");
        return o;
    }
}
