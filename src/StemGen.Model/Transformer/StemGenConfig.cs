using System.Text.Json.Serialization;

namespace StemGen.Model.Transformer;

/// <summary>
/// Every hyper-parameter of the StemGen masked-token transformer (paper sections 2.1 and 3).
/// Stored beside the weights in every checkpoint, so a model can always be rebuilt from its file.
/// </summary>
/// <remarks>
/// Channel width: the paper concatenates the context-mix embedding and the target-stem embedding
/// "along the embedding dimension" and states the transformer's embedding dimension as 1024, with
/// no projection in between. So each channel embedding (and the conditioning embedding added to
/// both) is <see cref="ChannelDim"/> = d/2 = 512 wide and the concatenation is the model width d.
/// Making each channel d wide would need a 2d -> d projection the paper does not describe and would
/// double every codebook table.
/// </remarks>
public sealed record StemGenConfig
{
    /// <summary>RVQ levels per frame (Q); EnCodec 32 kHz as used by MusicGen has 4.</summary>
    public int Levels { get; init; } = 4;

    /// <summary>Codes per RVQ level (K). Target tables have one more entry: MASK = K.</summary>
    public int CodebookSize { get; init; } = 2048;

    /// <summary>Instrument categories (the 18 General MIDI families, paper section 3).</summary>
    public int Categories { get; init; } = 18;

    /// <summary>Transformer width d: the concatenation of the two channel embeddings.</summary>
    public int ModelDim { get; init; } = 1024;

    public int Heads { get; init; } = 16;

    public int Layers { get; init; } = 20;

    /// <summary>SwiGLU hidden width; 0 means LLaMA's 256 * ceil((8d/3) / 256) (see <see cref="FfnWidth"/>).</summary>
    public int FfnHidden { get; init; }

    public double RopeTheta { get; init; } = 10_000;

    public double NormEps { get; init; } = 1e-5;

    /// <summary>Dropout on attention weights and residual branches while training (LLaMA: none).</summary>
    public double Dropout { get; init; }

    /// <summary>Probability that an example's context mix is replaced by the null embedding in training (guidance needs it).</summary>
    public double ContextDropout { get; init; } = 0.2;

    /// <summary>Probability that an example's instrument category is replaced by the "dropped" entry in training.</summary>
    public double CategoryDropout { get; init; } = 0.2;

    /// <summary>Longest sequence (frames) the rotary tables cover: 2048 frames = 41 s at 50 Hz (the paper trains on 20 s).</summary>
    public int MaxSequence { get; init; } = 2048;

    /// <summary>
    /// Crop length (frames) the model was trained on, 0 when unknown. Generation windows default to
    /// it: a model has never seen relative positions beyond its training crops.
    /// </summary>
    public int TrainingFrames { get; init; }

    /// <summary>Width of one channel's embedding (context or target): d/2, see the remarks.</summary>
    [JsonIgnore] public int ChannelDim => ModelDim / 2;

    [JsonIgnore] public int HeadDim => ModelDim / Heads;

    /// <summary>The SwiGLU hidden width in use: <see cref="FfnHidden"/>, or the LLaMA rule when that is 0.</summary>
    [JsonIgnore] public int FfnWidth => FfnHidden > 0 ? FfnHidden : LlamaFfnHidden(ModelDim);

    /// <summary>The MASK token id of the target tables.</summary>
    [JsonIgnore] public int MaskToken => CodebookSize;

    /// <summary>The category id that means "no category" (dropped for guidance).</summary>
    [JsonIgnore] public int DroppedCategory => Categories;

    /// <summary>The paper's model: d 1024, 16 heads, 20 layers (section 3).</summary>
    public static StemGenConfig Paper { get; } = new();

    /// <summary>A model that trains on one GPU in hours: d 512, 8 heads, 8 layers.</summary>
    public static StemGenConfig Small { get; } = new() { ModelDim = 512, Heads = 8, Layers = 8 };

    /// <summary>For CPU demos and tests: d 128, 4 heads, 2 layers, the real codec's token ranges.</summary>
    public static StemGenConfig Tiny { get; } = new() { ModelDim = 128, Heads = 4, Layers = 2 };

    public static IReadOnlyList<string> PresetNames { get; } = ["paper", "small", "tiny"];

    public static StemGenConfig Preset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "paper" => Paper,
        "small" => Small,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"unknown model preset '{name}': use {string.Join(", ", PresetNames)}", nameof(name)),
    };

    public static int LlamaFfnHidden(int modelDim) => 256 * (int)Math.Ceiling(8.0 * modelDim / 3 / 256);

    /// <summary>Throws when the numbers cannot make a model; returns this for chaining.</summary>
    /// <summary>This model trained on a codec's tokens (its vocabulary) in crops of <paramref name="frames"/>, with that context dropout.</summary>
    public StemGenConfig ForTraining(Codec.CodecConfig codec, int frames, double contextDropout) => (this with
    {
        Levels = codec.Levels,
        CodebookSize = codec.CodebookSize,
        MaxSequence = Math.Max(MaxSequence, frames),
        TrainingFrames = frames,
        ContextDropout = contextDropout,
    }).Validate();

    public StemGenConfig Validate()
    {
        var problems = new List<string>();
        if (Levels < 1) problems.Add($"levels must be at least 1 (got {Levels})");
        if (CodebookSize < 2) problems.Add($"codebook size must be at least 2 (got {CodebookSize})");
        if (Categories < 1) problems.Add($"categories must be at least 1 (got {Categories})");
        if (Heads < 1) problems.Add($"heads must be at least 1 (got {Heads})");
        if (ModelDim < 2 || ModelDim % 2 != 0) problems.Add($"model dim must be even, to split into two channels (got {ModelDim})");
        else if (ModelDim % Heads != 0 || HeadDim % 2 != 0) problems.Add($"model dim {ModelDim} must split into {Heads} heads of even width (rotary pairs)");
        if (Layers < 1) problems.Add($"layers must be at least 1 (got {Layers})");
        if (FfnHidden < 0) problems.Add($"FFN hidden width must be positive, or 0 for the LLaMA rule (got {FfnHidden})");
        if (MaxSequence < 1) problems.Add($"max sequence must be positive (got {MaxSequence})");
        if (TrainingFrames < 0 || TrainingFrames > MaxSequence) problems.Add($"training frames must be 0 (unknown) to the max sequence {MaxSequence} (got {TrainingFrames})");
        if (!(RopeTheta > 0)) problems.Add($"rope theta must be positive (got {RopeTheta})");
        if (!(NormEps > 0)) problems.Add($"norm eps must be positive (got {NormEps})");
        foreach (var (name, p) in new[] { ("dropout", Dropout), ("context dropout", ContextDropout), ("category dropout", CategoryDropout) })
            if (p is < 0 or > 1 || double.IsNaN(p)) problems.Add($"{name} must be in [0, 1] (got {p})");
        if (problems.Count > 0) throw new ArgumentException($"invalid model config: {string.Join("; ", problems)}");
        return this;
    }

    /// <summary>
    /// Trainable parameters, counted from the config alone (equals the built model's count).
    /// </summary>
    [JsonIgnore]
    public long ParameterCount
    {
        get
        {
            long d = ModelDim, c = ChannelDim, k = CodebookSize, q = Levels, f = FfnWidth;
            var embeddings = q * k * c           // context tables E_1..Q
                + q * (k + 1) * c                // target tables E_1..Q, each with MASK
                + (Categories + 1) * c           // instrument category + "dropped"
                + c;                             // null context embedding
            var block = 2 * d                    // attention and FFN RMSNorm gains
                + 4 * d * d                      // wq, wk, wv, wo
                + 3 * d * f;                     // SwiGLU w1, w3, w2
            var output = d                       // final RMSNorm
                + q * d * k;                     // one head per level
            return embeddings + Layers * block + output;
        }
    }
}
