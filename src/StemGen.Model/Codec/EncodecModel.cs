using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using StemGen.Torch;
using StemGen.Torch.Modules;

namespace StemGen.Model.Codec;

/// <summary>
/// How long inputs are cut: windows of <paramref name="WindowFrames"/> token frames, each encoded
/// or decoded with <paramref name="ContextFrames"/> frames of context on both sides that are then
/// dropped; decoded windows are cross-faded over <paramref name="CrossfadeFrames"/> frames.
/// Memory is bounded by one window of WindowFrames + 2 ContextFrames.
/// </summary>
public sealed record CodecWindowing(int WindowFrames = 1000, int ContextFrames = 50, int CrossfadeFrames = 4)
{
    /// <summary>20 s windows with 1 s of context each side at 50 Hz.</summary>
    public static CodecWindowing Default { get; } = new();

    public CodecWindowing Validate()
    {
        if (WindowFrames <= 0) throw new ArgumentOutOfRangeException(nameof(WindowFrames), WindowFrames, "window must hold at least one frame");
        if (ContextFrames < 0) throw new ArgumentOutOfRangeException(nameof(ContextFrames), ContextFrames, "context must not be negative");
        if (CrossfadeFrames < 0 || CrossfadeFrames > ContextFrames || CrossfadeFrames > WindowFrames)
            throw new ArgumentOutOfRangeException(nameof(CrossfadeFrames), CrossfadeFrames, "cross-fade must be between 0 and min(context, window) frames");
        return this;
    }
}

/// <summary>What one training forward pass gives the loop.</summary>
/// <param name="Reconstruction">(B, C, L), in the graph.</param>
/// <param name="CommitmentLoss">Scalar, in the graph (gradient to the encoder only).</param>
/// <param name="Codes">(B, Q, T) long.</param>
/// <param name="ReplacedCodes">Dead codes replaced by the EMA codebooks in this pass.</param>
public sealed record CodecTrainingForward(Tensor Reconstruction, Tensor CommitmentLoss, Tensor Codes, int ReplacedCodes);

/// <summary>
/// An EnCodec-family codec: SEANet encoder, residual vector quantizer, SEANet decoder, with the
/// Hugging Face tensor names (facebook/encodec_32khz). Audio (B, C, L) at
/// <see cref="CodecConfig.SampleRate"/> becomes tokens (B, Q, T) with T = ceil(L / hop), and back.
/// Inference runs on the device the model is on (<see cref="Module.To"/>); results come back on
/// the input's device.
/// </summary>
public sealed class EncodecModel : Module
{
    /// <summary>Safetensors metadata key holding the <see cref="CodecConfig"/> JSON.</summary>
    public const string ConfigMetadataKey = "stemgen.codec.config";
    /// <summary>Safetensors metadata key holding <see cref="ComputeIdentity"/> at save time.</summary>
    public const string IdentityMetadataKey = "stemgen.codec.identity";

    private static readonly string[] TrainingBuffers = ["inited", "cluster_size", "embed_avg"];

    public EncodecModel(CodecConfig config)
    {
        Config = config.Validate();
        Encoder = RegisterModule("encoder", new SeanetEncoder(config));
        Decoder = RegisterModule("decoder", new SeanetDecoder(config));
        Quantizer = RegisterModule("quantizer", new ResidualVectorQuantizer(config.Levels, config.CodebookSize, config.LatentDim));
    }

    public CodecConfig Config { get; }
    public SeanetEncoder Encoder { get; }
    public SeanetDecoder Decoder { get; }
    public ResidualVectorQuantizer Quantizer { get; }

    /// <summary>Where the weights are.</summary>
    public Device Device => Quantizer.Layers[0].Codebook.Embed.Device;

    // ---- inference ----

    /// <summary>
    /// Audio (B, Channels, L) -> tokens (B, Q, T) long, T = ceil(L / hop), in one pass (memory grows
    /// with L: use <see cref="EncodeLong"/> for long audio). <paramref name="levels"/> keeps the first levels only.
    /// </summary>
    public Tensor Encode(Tensor audio, int? levels = null)
    {
        CheckAudio(audio);
        using var noGrad = TorchRuntime.NoGrad();
        using var scope = TorchRuntime.NewDisposeScope();
        var (b, length) = (audio.Size(0), audio.Size(2));
        var q = levels ?? Config.Levels;
        if (length == 0) return Tensors.Zeros([b, q, 0], ScalarType.Int64, audio.Device).MoveToOuterScope();
        var x = audio.To(Device, ScalarType.Float32);
        var latent = Encoder.Forward(x);                  // (B, D, T)
        var codes = Quantizer.Encode(latent, q);          // (B, Q, T)
        return codes.To(audio.Device).MoveToOuterScope();
    }

    /// <summary>
    /// Tokens (B, Q', T) (the first Q' &lt;= Q levels) -> audio (B, Channels, length), decoded in one
    /// pass and cropped to <paramref name="length"/> &lt;= T * hop samples.
    /// </summary>
    public Tensor Decode(Tensor codes, long length)
    {
        CheckCodes(codes, length);
        using var noGrad = TorchRuntime.NoGrad();
        using var scope = TorchRuntime.NewDisposeScope();
        if (codes.Size(2) == 0) return Tensors.Zeros([codes.Size(0), Config.Channels, length], device: codes.Device).MoveToOuterScope();
        var latent = Quantizer.Decode(codes.To(Device));  // (B, D, T)
        var audio = Decoder.Forward(latent);              // (B, C, T * hop)
        return audio.Narrow(-1, 0, length).To(codes.Device).MoveToOuterScope();
    }

    /// <summary>
    /// <see cref="Encode"/> for audio of any length: windows of <see cref="CodecWindowing.WindowFrames"/>
    /// frames, each encoded with context on both sides, keep their own frames. Short inputs (one
    /// window) give exactly <see cref="Encode"/>'s tokens.
    /// </summary>
    public Tensor EncodeLong(Tensor audio, CodecWindowing? windowing = null, int? levels = null)
    {
        CheckAudio(audio);
        var w = (windowing ?? CodecWindowing.Default).Validate();
        var hop = Config.HopLength;
        var length = audio.Size(2);
        var frames = Config.FramesFor(length);
        if (frames <= w.WindowFrames) return Encode(audio, levels);

        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < frames; start += w.WindowFrames)
            {
                using var scope = TorchRuntime.NewDisposeScope();
                var end = Math.Min(start + w.WindowFrames, frames);
                var (from, to) = (Math.Max(0, start - w.ContextFrames), Math.Min(frames, end + w.ContextFrames));
                var window = audio.Narrow(2, from * hop, Math.Min(length, to * hop) - from * hop);
                var codes = Encode(window, levels);       // (B, Q, to - from)
                parts.Add(codes.Narrow(2, start - from, end - start).Contiguous().MoveToOuterScope());
            }
            return Tensors.Cat(parts, 2);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>
    /// <see cref="Decode"/> for token sequences of any length: windows decoded with context on both
    /// sides, their own samples kept, neighbours cross-faded (complementary linear ramps) around
    /// each boundary. Short inputs (one window) give exactly <see cref="Decode"/>'s audio.
    /// </summary>
    public Tensor DecodeLong(Tensor codes, long length, CodecWindowing? windowing = null)
    {
        CheckCodes(codes, length);
        var w = (windowing ?? CodecWindowing.Default).Validate();
        var frames = codes.Size(2);
        if (frames <= w.WindowFrames) return Decode(codes, length);

        var hop = (long)Config.HopLength;
        var fade = w.CrossfadeFrames * hop;
        using var rampUp = Ramp(fade, up: true, codes.Device);
        using var rampDown = Ramp(fade, up: false, codes.Device);
        var output = Tensors.Zeros([codes.Size(0), Config.Channels, frames * hop], device: codes.Device);
        try
        {
            using var noGrad = TorchRuntime.NoGrad();
            for (long start = 0; start < frames; start += w.WindowFrames)
            {
                using var scope = TorchRuntime.NewDisposeScope();
                var end = Math.Min(start + w.WindowFrames, frames);
                var (from, to) = (Math.Max(0, start - w.ContextFrames), Math.Min(frames, end + w.ContextFrames));
                var audio = Decode(codes.Narrow(2, from, to - from), (to - from) * hop);
                // This window writes [lo, hi): its own frames, widened by the cross-fade regions
                // [boundary - fade/2, boundary - fade/2 + fade) shared with its neighbours.
                var lo = start > 0 ? start * hop - fade / 2 : 0;
                var hi = end < frames ? end * hop - fade / 2 + fade : frames * hop;
                var piece = audio.Narrow(2, lo - from * hop, hi - lo).Clone();
                if (start > 0 && fade > 0) piece.Narrow(2, 0, fade).MulInPlace(rampUp);
                if (end < frames && fade > 0) piece.Narrow(2, hi - lo - fade, fade).MulInPlace(rampDown);
                output.Narrow(2, lo, hi - lo).AddInPlace(piece);
            }
            if (length == output.Size(2)) return output;
            using var kept = output.Narrow(2, 0, length);
            var result = kept.Contiguous();
            output.Dispose();
            return result;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>Mono samples -> tokens [Q, T] (windowed, any length).</summary>
    public long[,] EncodeMono(ReadOnlySpan<float> samples, CodecWindowing? windowing = null)
    {
        if (Config.Channels != 1) throw new InvalidOperationException($"this codec has {Config.Channels} channels, not 1");
        using var scope = TorchRuntime.NewDisposeScope();
        var audio = Tensor.FromSpan(samples, [1, 1, samples.Length]);
        var codes = EncodeLong(audio, windowing);
        var (q, t) = ((int)codes.Size(1), (int)codes.Size(2));
        var result = new long[q, t];
        if (result.Length > 0) codes.CopyTo(MemoryMarshal.CreateSpan(ref result[0, 0], result.Length));
        return result;
    }

    /// <summary>Tokens [Q, T] -> mono samples of the given length (windowed, any length).</summary>
    public float[] DecodeMono(long[,] codes, int length, CodecWindowing? windowing = null)
    {
        if (Config.Channels != 1) throw new InvalidOperationException($"this codec has {Config.Channels} channels, not 1");
        using var scope = TorchRuntime.NewDisposeScope();
        ReadOnlySpan<long> span = codes.Length == 0 ? [] : MemoryMarshal.CreateReadOnlySpan(ref codes[0, 0], codes.Length);
        var tokens = Tensor.FromSpan(span, [1, codes.GetLength(0), codes.GetLength(1)]);
        return DecodeLong(tokens, length, windowing).ToArray<float>();
    }

    // ---- training ----

    /// <summary>
    /// Encoder, quantizer in training mode (EMA codebook updates, straight-through gradient) and
    /// decoder on audio (B, C, L); the reconstruction is cropped to L. Tensors go to the caller's dispose scope.
    /// </summary>
    public CodecTrainingForward ForwardTraining(Tensor audio, CodebookTraining settings, Generator? generator = null)
    {
        CheckAudio(audio);
        var latent = Encoder.Forward(audio);
        var quantized = Quantizer.ForwardTraining(latent, settings, generator);
        latent.Dispose();
        var decoded = Decoder.Forward(quantized.Quantized);
        var reconstruction = decoded.Narrow(-1, 0, audio.Size(2));
        decoded.Dispose();
        return new CodecTrainingForward(reconstruction, quantized.CommitmentLoss, quantized.Codes, quantized.ReplacedCodes);
    }

    /// <summary>
    /// Encoder and decoder without the quantizer (the continuous autoencoder), for the warm-up
    /// before the codebooks are initialised from latents that already carry the signal.
    /// </summary>
    public Tensor ForwardUnquantized(Tensor audio)
    {
        CheckAudio(audio);
        using var latent = Encoder.Forward(audio);
        using var decoded = Decoder.Forward(latent);
        return decoded.Narrow(-1, 0, audio.Size(2));
    }

    // ---- weights: loading, saving, identity ----

    /// <summary>The weight-normalised convs: full prefix (e.g. "decoder.layers.3.conv") and whether it is transposed.</summary>
    public IEnumerable<(string Prefix, bool Transposed)> WeightNormedConvs()
    {
        foreach (var (name, module) in NamedModules(this, ""))
        {
            if (module is NonCausalConv1d) yield return (name + ".conv", false);
            else if (module is NonCausalConvTranspose1d) yield return (name + ".conv", true);
        }
    }

    private static IEnumerable<(string Name, Module Module)> NamedModules(Module module, string prefix)
    {
        foreach (var (name, child) in module.NamedChildren())
        {
            var full = prefix.Length == 0 ? name : $"{prefix}.{name}";
            yield return (full, child);
            foreach (var item in NamedModules(child, full)) yield return item;
        }
    }

    /// <summary>
    /// Loads a codec from a safetensors file in the Hugging Face layout (the official
    /// facebook/encodec_32khz model.safetensors, or one written by <see cref="Save"/>). The config
    /// comes from <paramref name="config"/>, else the file's metadata, else <see cref="CodecConfig.Official32k"/>.
    /// Weight-norm pairs (weight_g/weight_v or parametrizations.weight.original0/original1) are
    /// folded; every tensor's shape is checked before anything is read, and the first missing,
    /// unexpected or mis-shaped tensor is named in a <see cref="CodecWeightsException"/>.
    /// </summary>
    public static EncodecModel Load(string path, CodecConfig? config = null, Device? device = null)
    {
        using var file = SafeTensorsFile.Open(path);
        config ??= file.Metadata.TryGetValue(ConfigMetadataKey, out var json) ? CodecConfig.FromJson(json) : CodecConfig.Official32k;
        return FromSource(new FileSource(file), config, device);
    }

    /// <summary>As <see cref="Load"/>, from tensors already in memory (HF names); the tensors are only read.</summary>
    public static EncodecModel FromTensors(IReadOnlyDictionary<string, Tensor> tensors, CodecConfig config, Device? device = null) =>
        FromSource(new DictionarySource(tensors), config, device);

    private static EncodecModel FromSource(ITensorSource source, CodecConfig config, Device? device)
    {
        var model = new EncodecModel(config);
        try
        {
            var plan = model.PlanLoad(source);
            using (TorchRuntime.NoGrad())
            {
                foreach (var step in plan)
                {
                    using var scope = TorchRuntime.NewDisposeScope();
                    var value = step.Read(source);
                    step.Target.CopyFrom(value.To(ScalarType.Float32));
                }
                // A file without EMA statistics: the codebook is initialised, the statistics empty (consistent: embed_avg = embed * 0).
                foreach (var layer in model.Quantizer.Layers)
                {
                    var codebook = layer.Codebook;
                    if (plan.Any(s => ReferenceEquals(s.Target, codebook.ClusterSize))) continue;
                    codebook.Inited.FillInPlace(1);
                    codebook.ClusterSize.ZeroInPlace();
                    codebook.EmbedAvg.ZeroInPlace();
                }
            }
            if (device is { } d) model.To(d);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private sealed record LoadStep(Tensor Target, Func<ITensorSource, Tensor> Read);

    /// <summary>Checks names and shapes (headers only) and says how to fill each of the model's tensors.</summary>
    private List<LoadStep> PlanLoad(ITensorSource source)
    {
        var problems = new List<(string Name, string Problem)>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var steps = new List<LoadStep>();
        var convs = WeightNormedConvs().ToDictionary(c => c.Prefix + ".weight", c => c);
        var parametrized = source.Names.Any(n => n.Contains(".parametrizations.weight.", StringComparison.Ordinal));
        static string Shape(long[] s) => $"[{string.Join(", ", s)}]";

        bool Check(string name, long[] expected)
        {
            if (!source.Contains(name)) { problems.Add((name, $"missing tensor '{name}' (expected shape {Shape(expected)})")); return false; }
            used.Add(name);
            var actual = source.Shape(name);
            if (actual.SequenceEqual(expected)) return true;
            problems.Add((name, $"tensor '{name}' has shape {Shape(actual)}, expected {Shape(expected)}"));
            return false;
        }

        foreach (var (name, target) in StateDict())
        {
            var shape = target.Shape;
            if (convs.TryGetValue(name, out var conv))
            {
                var prefix = conv.Prefix;
                // g keeps dim 0 (torch's default); a transposed conv normalised over dim 1 is accepted too.
                long[] gDim0 = [shape[0], 1, 1];
                long[] gDim1 = [1, shape[1], 1];
                string? gName = null, vName = null;
                foreach (var (g, v) in new[] { ($"{prefix}.weight_g", $"{prefix}.weight_v"), ($"{prefix}.parametrizations.weight.original0", $"{prefix}.parametrizations.weight.original1") })
                    if (source.Contains(g) || source.Contains(v)) { (gName, vName) = (g, v); break; }
                if (gName is null && source.Contains(name))
                {
                    if (Check(name, shape)) steps.Add(new LoadStep(target, s => s.Read(name)));
                    continue;
                }
                gName ??= parametrized ? $"{prefix}.parametrizations.weight.original0" : $"{prefix}.weight_g";
                vName ??= parametrized ? $"{prefix}.parametrizations.weight.original1" : $"{prefix}.weight_v";
                var gOk = source.Contains(gName) && (source.Shape(gName).SequenceEqual(gDim0) || (conv.Transposed && source.Shape(gName).SequenceEqual(gDim1)));
                if (!gOk) Check(gName, gDim0); else used.Add(gName);
                var vOk = Check(vName, shape);
                if (gOk && vOk)
                {
                    var (gn, vn) = (gName, vName);
                    steps.Add(new LoadStep(target, s =>
                    {
                        using var g = s.Read(gn);
                        using var v = s.Read(vn);
                        return WeightNorm.Fold(g, v);
                    }));
                }
                continue;
            }
            var leaf = name[(name.LastIndexOf('.') + 1)..];
            if (name.StartsWith("quantizer.", StringComparison.Ordinal) && TrainingBuffers.Contains(leaf))
            {
                // Training-only statistics: taken when present and well-shaped, otherwise ignored.
                if (source.Contains(name))
                {
                    used.Add(name);
                    if (source.Shape(name).SequenceEqual(shape)) steps.Add(new LoadStep(target, s => s.Read(name)));
                }
                continue;
            }
            if (Check(name, shape)) steps.Add(new LoadStep(target, s => s.Read(name)));
        }

        foreach (var name in source.Names)
        {
            if (used.Contains(name)) continue;
            var leaf = name[(name.LastIndexOf('.') + 1)..];
            if (name.StartsWith("quantizer.", StringComparison.Ordinal) && TrainingBuffers.Contains(leaf)) continue;
            problems.Add((name, $"unexpected tensor '{name}' {Shape(source.Shape(name))}"));
        }
        if (problems.Count > 0) throw new CodecWeightsException(source.Description, Config, problems);
        return steps;
    }

    /// <summary>
    /// The tensors <see cref="Save"/> writes, in the HF layout: every conv weight split into
    /// weight-norm g (dim 0) and v, LSTM and codebook tensors as they are (EMA statistics included).
    /// The caller disposes the returned tensors (they are copies on the CPU).
    /// </summary>
    public Dictionary<string, Tensor> ExportTensors(WeightNormNames names = WeightNormNames.Legacy)
    {
        var convs = WeightNormedConvs().Select(c => c.Prefix + ".weight").ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var noGrad = TorchRuntime.NoGrad();
        foreach (var (name, tensor) in StateDict())
        {
            using var cpu = tensor.To(Device.CPU, ScalarType.Float32);
            if (!convs.Contains(name))
            {
                result[name] = cpu.Clone().DetachFromDisposeScope();
                continue;
            }
            var prefix = name[..^".weight".Length];
            var (g, v) = WeightNorm.Split(cpu);
            var (gName, vName) = names == WeightNormNames.Legacy
                ? ($"{prefix}.weight_g", $"{prefix}.weight_v")
                : ($"{prefix}.parametrizations.weight.original0", $"{prefix}.parametrizations.weight.original1");
            result[gName] = g.DetachFromDisposeScope();
            using (v) result[vName] = v.Clone().DetachFromDisposeScope();
        }
        return result;
    }

    /// <summary>
    /// Writes the codec as safetensors in the HF layout (<see cref="ExportTensors"/>) with the
    /// config JSON and identity in the metadata, atomically. <see cref="Load"/> reads it back.
    /// </summary>
    public void Save(string path, WeightNormNames names = WeightNormNames.Legacy)
    {
        var tensors = ExportTensors(names);
        try
        {
            var metadata = new Dictionary<string, string>
            {
                ["format"] = "pt",
                [ConfigMetadataKey] = Config.ToJson(),
                [IdentityMetadataKey] = ComputeIdentity(),
            };
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
            SafeTensors.Save(path, tensors, metadata);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>
    /// A short stable id of what this codec computes: SHA-256 of the config JSON and of every
    /// tensor used for encoding and decoding (names, shapes, float32 values; not the EMA
    /// statistics). Two codecs with the same id give the same tokens, so caches of tokens and
    /// checkpoints of token models can record which codec made them. Reads all weights: cache it.
    /// </summary>
    public string ComputeIdentity()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(Config.ToJson()));
        foreach (var (name, tensor) in StateDict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var leaf = name[(name.LastIndexOf('.') + 1)..];
            if (name.StartsWith("quantizer.", StringComparison.Ordinal) && TrainingBuffers.Contains(leaf)) continue;
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}[{string.Join(",", tensor.Shape)}]"));
            using var cpu = tensor.To(Device.CPU, ScalarType.Float32);
            var bytes = new byte[cpu.NumEl * sizeof(float)];
            cpu.CopyBytesTo(bytes);
            hash.AppendData(bytes);
        }
        return "encodec-" + Convert.ToHexStringLower(hash.GetHashAndReset())[..20];
    }

    // ---- checks ----

    private void CheckAudio(Tensor audio)
    {
        if (audio.Dim != 3 || audio.Size(1) != Config.Channels)
            throw new ArgumentException($"audio must be (B, {Config.Channels}, L), got [{string.Join(", ", audio.Shape)}]", nameof(audio));
    }

    private void CheckCodes(Tensor codes, long length)
    {
        if (codes.Dim != 3 || codes.Size(1) < 1 || codes.Size(1) > Config.Levels)
            throw new ArgumentException($"codes must be (B, Q, T) with 1 <= Q <= {Config.Levels}, got [{string.Join(", ", codes.Shape)}]", nameof(codes));
        if (codes.DType != ScalarType.Int64) throw new ArgumentException($"codes must be int64, got {codes.DType}", nameof(codes));
        var max = codes.Size(2) * Config.HopLength;
        if (length < 0 || length > max)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"{codes.Size(2)} frames decode to at most {max} samples");
        if (codes.NumEl == 0) return;
        using var low = codes.Min();
        using var high = codes.Max();
        var (lo, hi) = (low.ToInt64(), high.ToInt64());
        if (lo < 0 || hi >= Config.CodebookSize)
            throw new ArgumentOutOfRangeException(nameof(codes), $"codes must be in [0, {Config.CodebookSize}), got values from {lo} to {hi}");
    }

    private static Tensor Ramp(long length, bool up, Device device)
    {
        var values = new float[length];
        for (var n = 0; n < length; n++)
        {
            var r = (float)((n + 0.5) / length);
            values[n] = up ? r : 1 - r;
        }
        using var cpu = Tensor.FromArray(values);
        return cpu.To(device);
    }

    // ---- tensor sources for loading ----

    private interface ITensorSource
    {
        string Description { get; }
        IEnumerable<string> Names { get; }
        bool Contains(string name);
        long[] Shape(string name);
        Tensor Read(string name);
    }

    private sealed class FileSource(SafeTensorsFile file) : ITensorSource
    {
        public string Description => file.Path;
        public IEnumerable<string> Names => file.Names;
        public bool Contains(string name) => file.Contains(name);
        public long[] Shape(string name) => file.Info(name).Shape;
        public Tensor Read(string name) => file.Load(name);
    }

    private sealed class DictionarySource(IReadOnlyDictionary<string, Tensor> tensors) : ITensorSource
    {
        public string Description => "tensors in memory";
        public IEnumerable<string> Names => tensors.Keys.Order(StringComparer.Ordinal);
        public bool Contains(string name) => tensors.ContainsKey(name);
        public long[] Shape(string name) => tensors[name].Shape;
        public Tensor Read(string name) => tensors[name].Alias();
    }
}

/// <summary>How weight-norm pairs are named in a file.</summary>
public enum WeightNormNames
{
    /// <summary>`weight_g` / `weight_v` (torch.nn.utils.weight_norm; the HF checkpoints).</summary>
    Legacy,
    /// <summary>`parametrizations.weight.original0` / `original1` (torch.nn.utils.parametrizations.weight_norm).</summary>
    Parametrizations,
}

/// <summary>Codec weights that do not fit the codec's architecture; <see cref="TensorName"/> is the first problem's tensor.</summary>
public sealed class CodecWeightsException : Exception
{
    internal CodecWeightsException(string source, CodecConfig config, IReadOnlyList<(string Name, string Problem)> problems)
        : base(Describe(source, config, problems))
    {
        TensorName = problems[0].Name;
        Problems = problems.Select(p => p.Problem).ToList();
    }

    public string TensorName { get; }
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(string source, CodecConfig config, IReadOnlyList<(string Name, string Problem)> problems)
    {
        var more = problems.Count > 1
            ? $" ({problems.Count - 1} more: {string.Join("; ", problems.Skip(1).Take(4).Select(p => p.Problem))}{(problems.Count > 5 ? "; ..." : "")})"
            : "";
        return $"{source}: weights do not fit the codec ({config.Describe()}): {problems[0].Problem}{more}";
    }
}
