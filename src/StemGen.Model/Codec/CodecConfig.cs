using System.Text.Json;
using System.Text.Json.Serialization;
using StemGen.Torch;

namespace StemGen.Model.Codec;

/// <summary>
/// Every hyper-parameter of an EnCodec-family codec (SEANet encoder/decoder + residual vector
/// quantizer), with the defaults of the official 32 kHz model (facebook/encodec_32khz). Smaller
/// members of the family (fewer filters, other ratios, other codebooks, with or without LSTM) are
/// the same code with other values. Serialised as JSON beside the weights.
/// </summary>
public sealed record CodecConfig
{
    public int SampleRate { get; init; } = 32000;
    public int Channels { get; init; } = 1;
    /// <summary>Channels after the first conv; doubled at each down-sampling stage.</summary>
    public int BaseFilters { get; init; } = 64;
    /// <summary>Up-sampling ratios in decoder order; the encoder down-samples by them reversed.</summary>
    public IReadOnlyList<int> Ratios { get; init; } = [8, 5, 4, 4];
    /// <summary>Latent (and codebook vector) dimension.</summary>
    public int LatentDim { get; init; } = 128;
    public int CodebookSize { get; init; } = 2048;
    /// <summary>Residual quantizer levels Q.</summary>
    public int Levels { get; init; } = 4;
    /// <summary>Layers of the skip LSTM after the encoder and before the decoder; 0 = no LSTM.</summary>
    public int LstmLayers { get; init; } = 2;
    /// <summary>Residual blocks per stage (dilations 1, g, g^2, ... with g = <see cref="DilationGrowth"/>).</summary>
    public int ResidualLayers { get; init; } = 1;
    public int DilationGrowth { get; init; } = 2;
    public int ResidualKernel { get; init; } = 3;
    public int FirstKernel { get; init; } = 7;
    public int LastKernel { get; init; } = 7;
    /// <summary>Residual blocks squeeze dim to dim / Compress in their first conv.</summary>
    public int Compress { get; init; } = 2;
    /// <summary>A 1x1 conv on the residual shortcut (EnCodec 24 kHz) instead of the identity (32 kHz).</summary>
    public bool ConvShortcut { get; init; }
    /// <summary>Padding of the non-causal convs (the HF config says reflect).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PadMode>))]
    public PadMode PadMode { get; init; } = PadMode.Reflect;

    /// <summary>Samples per token frame: the product of the ratios (640 for 32 kHz).</summary>
    [JsonIgnore]
    public int HopLength => Ratios.Aggregate(1, (a, r) => a * r);

    /// <summary>Token frames per second (50 for 32 kHz).</summary>
    [JsonIgnore]
    public double FrameRate => (double)SampleRate / HopLength;

    /// <summary>Channels at the bottleneck of the encoder (BaseFilters * 2^stages).</summary>
    [JsonIgnore]
    public int BottleneckChannels => BaseFilters << Ratios.Count;

    /// <summary>Token frames for <paramref name="samples"/> samples: ceil(samples / hop).</summary>
    public long FramesFor(long samples) => samples <= 0 ? 0 : (samples + HopLength - 1) / HopLength;

    /// <summary>EnCodec 32 kHz as MusicGen uses it: 64 filters, ratios 8 5 4 4, 4 x 2048 codes, 2-layer LSTM (~59 M parameters).</summary>
    public static CodecConfig Official32k { get; } = new();

    /// <summary>
    /// The member this project trains and ships: the same token interface as
    /// <see cref="Official32k"/> (50 Hz, 4 x 2048 codes, 128-d latent) with half the filters, so
    /// about a quarter of the compute (~15 M parameters).
    /// </summary>
    public static CodecConfig Small { get; } = new() { BaseFilters = 32 };

    /// <summary>A CPU-trainable member with the same token interface: 16 filters, one LSTM layer.</summary>
    public static CodecConfig Tiny { get; } = new() { BaseFilters = 16, LstmLayers = 1 };

    /// <summary>Throws when the values cannot make a codec.</summary>
    public CodecConfig Validate()
    {
        void Positive(int value, string name)
        {
            if (value <= 0) throw new ArgumentException($"codec config: {name} must be positive, got {value}");
        }
        Positive(SampleRate, nameof(SampleRate));
        Positive(Channels, nameof(Channels));
        Positive(BaseFilters, nameof(BaseFilters));
        Positive(LatentDim, nameof(LatentDim));
        Positive(CodebookSize, nameof(CodebookSize));
        Positive(Levels, nameof(Levels));
        Positive(ResidualKernel, nameof(ResidualKernel));
        Positive(FirstKernel, nameof(FirstKernel));
        Positive(LastKernel, nameof(LastKernel));
        Positive(Compress, nameof(Compress));
        Positive(DilationGrowth, nameof(DilationGrowth));
        if (LstmLayers < 0) throw new ArgumentException($"codec config: LstmLayers must be 0 or more, got {LstmLayers}");
        if (ResidualLayers < 0) throw new ArgumentException($"codec config: ResidualLayers must be 0 or more, got {ResidualLayers}");
        if (Ratios is null || Ratios.Count == 0 || Ratios.Any(r => r <= 0))
            throw new ArgumentException($"codec config: Ratios must be a non-empty list of positive integers, got [{string.Join(", ", Ratios ?? [])}]");
        if (BaseFilters % Compress != 0)
            throw new ArgumentException($"codec config: BaseFilters ({BaseFilters}) must be divisible by Compress ({Compress})");
        if (PadMode is not (PadMode.Reflect or PadMode.Constant or PadMode.Replicate))
            throw new ArgumentException($"codec config: PadMode {PadMode} is not supported (reflect, constant or replicate)");
        return this;
    }

    /// <summary>Short description for messages, e.g. "64 filters, ratios 8-5-4-4, 4 x 2048 codes, LSTM 2".</summary>
    public string Describe() =>
        $"{BaseFilters} filters, ratios {string.Join("-", Ratios)}, {Levels} x {CodebookSize} codes of dim {LatentDim}, " +
        (LstmLayers > 0 ? $"LSTM {LstmLayers}" : "no LSTM") + $", {SampleRate} Hz";

    // ---- JSON ----
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CodecConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<CodecConfig>(json, Json) ?? throw new InvalidDataException("codec config JSON is null")).Validate();

    /// <summary>
    /// Maps a Hugging Face EncodecConfig (config.json of facebook/encodec_*) onto this record.
    /// Levels follow HF: floor(1000 * max bandwidth / (frame rate * 10)).
    /// </summary>
    public static CodecConfig FromHuggingFaceJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        int Int(string name, int fallback) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;
        var defaults = Official32k;
        var ratios = root.TryGetProperty("upsampling_ratios", out var r) ? r.EnumerateArray().Select(e => e.GetInt32()).ToList() : [.. defaults.Ratios];
        var sampleRate = Int("sampling_rate", defaults.SampleRate);
        var hop = ratios.Aggregate(1, (a, b) => a * b);
        var levels = defaults.Levels;
        if (root.TryGetProperty("target_bandwidths", out var bw) && bw.GetArrayLength() > 0)
        {
            var maxBandwidth = bw.EnumerateArray().Max(e => e.GetDouble());
            var frameRate = (int)Math.Ceiling((double)sampleRate / hop);
            levels = (int)Math.Floor(1000 * maxBandwidth / (frameRate * 10));
        }
        var padMode = root.TryGetProperty("pad_mode", out var p) ? p.GetString() : "reflect";
        if (root.TryGetProperty("use_causal_conv", out var causal) && causal.ValueKind == JsonValueKind.True)
            throw new NotSupportedException("causal EnCodec models (use_causal_conv: true) are not supported; the 32 kHz model is non-causal");
        return new CodecConfig
        {
            SampleRate = sampleRate,
            Channels = Int("audio_channels", defaults.Channels),
            BaseFilters = Int("num_filters", defaults.BaseFilters),
            Ratios = ratios,
            LatentDim = Int("hidden_size", Int("codebook_dim", defaults.LatentDim)),
            CodebookSize = Int("codebook_size", defaults.CodebookSize),
            Levels = levels,
            LstmLayers = Int("num_lstm_layers", defaults.LstmLayers),
            ResidualLayers = Int("num_residual_layers", defaults.ResidualLayers),
            DilationGrowth = Int("dilation_growth_rate", defaults.DilationGrowth),
            ResidualKernel = Int("residual_kernel_size", defaults.ResidualKernel),
            FirstKernel = Int("kernel_size", defaults.FirstKernel),
            LastKernel = Int("last_kernel_size", defaults.LastKernel),
            Compress = Int("compress", defaults.Compress),
            ConvShortcut = root.TryGetProperty("use_conv_shortcut", out var s) && s.ValueKind == JsonValueKind.True,
            PadMode = padMode switch
            {
                "reflect" => PadMode.Reflect,
                "constant" or "zero" => PadMode.Constant,
                "replicate" => PadMode.Replicate,
                _ => throw new NotSupportedException($"pad_mode '{padMode}' is not supported"),
            },
        }.Validate();
    }

    // Records compare lists by reference; a config is a value.
    public bool Equals(CodecConfig? other) =>
        other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());

    public override string ToString() => ToJson();
}
