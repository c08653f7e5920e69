using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using StemGen.Model.Training;
using StemGen.Web.Data;
using StemGen.Web.Datasets;
using StemGen.Web.Listening;

namespace StemGen.Web.Training;

/// <summary>A model validated on the run's pairs with the context (null when it was trained never to hear it) and with the context dropped.</summary>
public sealed record ListeningFigures(ValidationResult? WithContext, ValidationResult WithoutContext)
{
    /// <summary>Loss without minus with, per level (nats per token); empty when the model never hears the context.</summary>
    public IReadOnlyList<double> LevelGain => WithContext is null ? [] : WithoutContext.LevelLoss.Zip(WithContext.LevelLoss, (w, h) => w - h).ToList();
}

/// <summary>
/// What `stemgen train --listening-check` prints, kept: the run's best model (its latest checkpoint when none)
/// with the training masks and with each level masked whole (for level 1 the model then has only its conditioning).
/// </summary>
public sealed record ListeningCheckResult(long ModelStep, bool BestModel, double ContextDropout, ListeningFigures TrainingMasks, ListeningFigures WholeLevel)
{
    /// <summary>The headline figure: level 1 masked whole, loss without the context minus with it.</summary>
    public double? Gain => WholeLevel.LevelGain.Count > 0 ? WholeLevel.LevelGain[0] : null;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ListeningCheckResult? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<ListeningCheckResult>(json, Json);
}

/// <summary>
/// The listening check of a stopped run as a Hangfire job on the CPU queue: opens the run's data and checkpoint as
/// the training job does, loads the best model and validates it with and without the context. The figures go to the
/// run row (<see cref="TrainingRun.ListeningGain"/> is shown with the exported model).
/// </summary>
public sealed class ListeningCheckJob(StudioDbContext db, ImportedDatasetSource paths, DatasetService datasets, TrainingService training,
    TrainingEvents events, ILogger<ListeningCheckJob> logger)
{
    [DisplayName("Listening check of training run {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(int runId, CancellationToken cancellationToken)
    {
        var run = await db.TrainingRuns.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null || run.ListeningCheck is not (ListeningCheckState.Queued or ListeningCheckState.Running)) return;
        run.ListeningCheck = ListeningCheckState.Running;
        run.ListeningCheckJson = null;
        await db.SaveChangesAsync(cancellationToken);
        events.PublishCheck(runId);
        try
        {
            var result = await Task.Run(() => Check(run, training.FolderOf(run), cancellationToken), cancellationToken);
            (run.ListeningCheck, run.ListeningCheckJson, run.ListeningGain) = (ListeningCheckState.Done, result.ToJson(), result.Gain);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; } // the server stops: Hangfire runs it again
        catch (Exception e)
        {
            logger.LogWarning(e, "listening check of run {RunId} failed", runId);
            (run.ListeningCheck, run.ListeningCheckJson, run.ListeningGain) = (ListeningCheckState.Failed, e.Message, null);
        }
        await db.SaveChangesAsync(CancellationToken.None);
        events.PublishCheck(runId);
    }

    private ListeningCheckResult Check(TrainingRun run, string folder, CancellationToken stop)
    {
        using var data = RunData.Open(run, paths, datasets, _ => { }, stop);
        using var trainer = StemGenTrainer.Resume(folder, data.Source, new TrainingRequest(null, null, Device: run.Device).ParsedDevice());
        var best = File.Exists(trainer.BestModelPath);
        if (best) trainer.LoadWeights(trainer.BestModelPath);
        // A model trained never to see the context has untrained context tables: only "dropped" means anything.
        var hears = trainer.ModelConfig.ContextDropout < 1;
        ListeningFigures Figures(bool whole)
        {
            stop.ThrowIfCancellationRequested();
            return new(hears ? trainer.Validate(wholeLevel: whole) : null, trainer.Validate(dropContext: true, wholeLevel: whole));
        }
        return new ListeningCheckResult(best ? trainer.BestStep : trainer.Step, best, trainer.ModelConfig.ContextDropout, Figures(false), Figures(true));
    }
}
