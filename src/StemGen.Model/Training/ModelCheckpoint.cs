using StemGen.Model.Transformer;
using StemGen.Torch;

namespace StemGen.Model.Training;

/// <summary>Metadata keys shared by training checkpoints and model files.</summary>
public static class CheckpointKeys
{
    public const string Format = "format";
    public const string ModelConfig = "model_config";
    public const string TrainingConfig = "training_config";
    public const string Codec = "codec";
    public const string Step = "step";
    public const string Seed = "seed";
    public const string BestAccuracy = "best_accuracy";
    public const string BestStep = "best_step";
    public const string NonFiniteSteps = "non_finite_steps";
    public const string ValidationHistory = "validation_history";
    public const string Validation = "validation";

    public const string TrainingFormat = "stemgen-training/1";
    public const string ModelFormat = "stemgen-model/1";
}

/// <summary>A trained model with what generation needs to know about it.</summary>
public sealed record LoadedModel(StemGenModel Model, string CodecIdentity, long Step);

/// <summary>
/// Weights-only model files (the run's best.safetensors), built on <see cref="TrainingCheckpoint"/>.
/// <see cref="Load"/> also reads a full training checkpoint.
/// </summary>
public static class ModelCheckpoint
{
    public static void Save(string path, StemGenModel model, string codecIdentity, long step, ValidationResult? validation = null)
    {
        var metadata = new Dictionary<string, object>
        {
            [CheckpointKeys.Format] = CheckpointKeys.ModelFormat,
            [CheckpointKeys.ModelConfig] = model.Config,
            [CheckpointKeys.Codec] = codecIdentity,
            [CheckpointKeys.Step] = step,
        };
        if (validation is not null) metadata[CheckpointKeys.Validation] = validation;
        TrainingCheckpoint.Save(path, model.StateDict(), null, metadata);
    }

    /// <summary>Builds the model a file describes and loads its weights onto <paramref name="device"/> (in eval mode).</summary>
    public static LoadedModel Load(string path, Device? device = null)
    {
        using var checkpoint = TrainingCheckpoint.Load(path);
        var format = checkpoint.Get<string>(CheckpointKeys.Format);
        if (format is not (CheckpointKeys.ModelFormat or CheckpointKeys.TrainingFormat))
            throw new InvalidDataException($"{path} is a '{format}' file, not a StemGen model or training checkpoint");
        var model = new StemGenModel(checkpoint.Get<StemGenConfig>(CheckpointKeys.ModelConfig));
        try
        {
            model.LoadStateDict(checkpoint.Model);
            model.To(device ?? Device.CPU);
            model.Eval();
            return new LoadedModel(model, checkpoint.Get<string>(CheckpointKeys.Codec), checkpoint.Get<long>(CheckpointKeys.Step));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
