namespace StemGen.Jobs;

/// <summary>The generation model ("Generation" section): loaded once per process, by whichever process runs generation jobs (the studio or a worker).</summary>
public sealed class GenerationOptions
{
    public const string Section = "Generation";

    /// <summary>EnCodec weights (safetensors); default: $STEMGEN_CODEC, else the repository's models/codec-tiny.safetensors.</summary>
    public string? CodecWeightsPath { get; set; }

    /// <summary>StemGen transformer checkpoint; default: $STEMGEN_CHECKPOINT, else the repository's models/stemgen-tiny.safetensors.</summary>
    public string? ModelCheckpointPath { get; set; }

    /// <summary>"auto" (CUDA when present, CPU otherwise), "cpu" or "cuda".</summary>
    public string Device { get; set; } = "auto";

    public double MaxContextSeconds { get; set; } = 600;

    /// <summary>Most variations one job may ask for.</summary>
    public int MaxVariations { get; set; } = 4;
}
