using System.Diagnostics;
using System.Globalization;
using StemGen.Model;
using StemGen.Model.Codec;
using StemGen.Torch;

// Encode and decode speed of codecs (random weights, or "shipped": models/codec-tiny.safetensors), in x real time (audio seconds per wall
// second), best of --repeats runs after one warm-up (the best run is the least disturbed one on a
// shared machine). Usage:
//   StemGen.Codec.Bench [--seconds 10] [--repeats 3] [--batch 1] [--device cpu|cuda]
//                       [--configs official,small,tiny,shipped] [--profile] [--json]
// --json: the human-readable lines go to stderr and one JSON object to stdout (scripts/gpu-check.sh reads it).
// Threads: STEMGEN_TORCH_THREADS=N (setting TorchRuntime.Threads at run time does not stick on libtorch 1.13 here).
var options = Options.Parse(args);
var device = options.Device ?? Device.CPU;
var log = options.Json ? Console.Error : Console.Out;
log.WriteLine($"libtorch {TorchRuntime.Version}, {TorchRuntime.Threads} threads, device {device}, " +
    $"{options.Seconds:0.#} s of audio, batch {options.Batch}, best of {options.Repeats}");

var results = new Dictionary<string, (double Encode, double Decode)>();
foreach (var name in options.Configs)
{
    TorchRuntime.ManualSeed(1);
    using var codec = name switch
    {
        "official" => new EncodecModel(CodecConfig.Official32k),
        "small" => new EncodecModel(CodecConfig.Small),
        "tiny" => new EncodecModel(CodecConfig.Tiny),
        "shipped" => EncodecModel.Load(ShippedModels.CodecPath()),
        _ => throw new ArgumentException($"unknown config '{name}' (official, small, tiny, shipped)"),
    };
    var config = codec.Config;
    codec.To(device).Eval();
    var samples = (long)(options.Seconds * config.SampleRate);
    using var audio = (Tensors.Randn([options.Batch, config.Channels, samples]) * 0.1).To(device);
    using var warm = Tensors.Randn([1, config.Channels, config.SampleRate]).To(device);
    using (TorchRuntime.NewDisposeScope()) codec.Decode(codec.Encode(warm), config.SampleRate);

    using var codes = codec.EncodeLong(audio);
    var encode = Best(options.Repeats, () => { using var s = TorchRuntime.NewDisposeScope(); codec.EncodeLong(audio); Sync(device); });
    var decode = Best(options.Repeats, () => { using var s = TorchRuntime.NewDisposeScope(); codec.DecodeLong(codes, samples); Sync(device); });
    var audioSeconds = options.Seconds * options.Batch;
    results[name] = (audioSeconds / encode, audioSeconds / decode);
    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-9} {codec.ParameterCount / 1e6,6:F2} M params  encode {encode,7:F3} s = {audioSeconds / encode,7:F2} x real time   decode {decode,7:F3} s = {audioSeconds / decode,7:F2} x real time"));
    if (options.Profile) Profile(codec, audio, codes);
}
if (results.TryGetValue("official", out var official))
    foreach (var (name, r) in results.Where(r => r.Key != "official"))
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}/official speed: encode {r.Encode / official.Encode:F2}x, decode {r.Decode / official.Decode:F2}x"));
if (options.Json)
    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
    {
        torch = TorchRuntime.Version, threads = TorchRuntime.Threads, device = device.ToString(), seconds = options.Seconds, batch = options.Batch,
        repeats = options.Repeats,
        results = results.Select(r => new { config = r.Key, encode_x_realtime = r.Value.Encode, decode_x_realtime = r.Value.Decode }),
    }));
return 0;

static double Best(int repeats, Action run)
{
    var best = double.MaxValue;
    for (var i = 0; i < Math.Max(1, repeats); i++)
    {
        var clock = Stopwatch.StartNew();
        run();
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
    }
    return best;
}

static void Sync(Device device)
{
    if (device.Type == DeviceType.CUDA) TorchRuntime.Cuda.Synchronize();
}

// Wall time per layer kind, one pass: where the time goes.
static void Profile(EncodecModel codec, Tensor audio, Tensor codes)
{
    using var noGrad = TorchRuntime.NoGrad();
    using var scope = TorchRuntime.NewDisposeScope();
    var totals = new Dictionary<string, double>();
    Tensor Run(string part, IReadOnlyList<SeanetLayer> layers, Tensor x)
    {
        foreach (var layer in layers)
        {
            var clock = Stopwatch.StartNew();
            x = layer.Forward(x);
            Sync(x.Device);
            var key = $"{part} {layer.GetType().Name}";
            totals[key] = totals.GetValueOrDefault(key) + clock.Elapsed.TotalSeconds;
        }
        return x;
    }
    Run("encoder", codec.Encoder.Layers, audio);
    Run("decoder", codec.Decoder.Layers, codec.Quantizer.Decode(codes));
    foreach (var (key, seconds) in totals.OrderByDescending(p => p.Value))
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {key,-42} {seconds,7:F3} s"));
}

internal sealed record Options(double Seconds, int Repeats, int Batch, Device? Device, string[] Configs, bool Profile, bool Json = false)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(10, 3, 1, null, ["official", "small"], false);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--seconds" => o with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--repeats" => o with { Repeats = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--batch" => o with { Batch = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--device" => o with { Device = StemGen.Torch.Device.Parse(Next()) },
                "--configs" => o with { Configs = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--profile" => o with { Profile = true },
                "--json" => o with { Json = true },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}
