using System.Text.Json;
using System.Text.Json.Serialization;

namespace StemGen.Model.Training;

/// <summary>A model validated on the run's pairs with the context (null when it was trained never to hear it) and with the context dropped.</summary>
public sealed record ListeningFigures(ValidationResult? WithContext, ValidationResult WithoutContext)
{
    /// <summary>Loss without minus with, per level (nats per token); empty when the model never hears the context.</summary>
    public IReadOnlyList<double> LevelGain => WithContext is null ? [] : WithoutContext.LevelLoss.Zip(WithContext.LevelLoss, (w, h) => w - h).ToList();
}

/// <summary>
/// Does the model listen? The run's best model (its latest checkpoint when none) validated on the fixed validation pairs
/// with the training masks and with each level masked whole (for level 1 the model then has only its conditioning),
/// each with the context and with it dropped: the difference is what the context contributes.
/// </summary>
public sealed record ListeningCheckResult(long ModelStep, bool BestModel, double ContextDropout, ListeningFigures TrainingMasks, ListeningFigures WholeLevel)
{
    /// <summary>The headline figure: level 1 masked whole, loss without the context minus with it.</summary>
    public double? Gain => WholeLevel.LevelGain.Count > 0 ? WholeLevel.LevelGain[0] : null;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ListeningCheckResult? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<ListeningCheckResult>(json, Json);
}

/// <summary>The listening check that `stemgen train --listening-check` prints and the studio keeps with a run.</summary>
public static class ListeningCheck
{
    /// <summary>Loads the run's best model into the trainer (when there is one) and validates it four ways.</summary>
    public static ListeningCheckResult Run(StemGenTrainer trainer, CancellationToken cancellationToken = default)
    {
        var best = File.Exists(trainer.BestModelPath);
        if (best) trainer.LoadWeights(trainer.BestModelPath);
        // A model trained never to see the context has untrained context tables: only "dropped" means anything.
        var hears = trainer.ModelConfig.ContextDropout < 1;
        ListeningFigures Figures(bool whole)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new(hears ? trainer.Validate(wholeLevel: whole) : null, trainer.Validate(dropContext: true, wholeLevel: whole));
        }
        return new ListeningCheckResult(best ? trainer.BestStep : trainer.Step, best, trainer.ModelConfig.ContextDropout, Figures(false), Figures(true));
    }
}
