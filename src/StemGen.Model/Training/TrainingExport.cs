namespace StemGen.Model.Training;

/// <summary>What <see cref="TrainingExport.Export"/> wrote: the file, the checkpoint it came from, its step and validation.</summary>
public sealed record ExportedModel(string Path, string From, long Step, ValidationResult? Validation);

/// <summary>
/// RUN/model.safetensors, the model file a run hands on (to `stemgen generate --checkpoint`, or the studio's model
/// library): the run's best model, or its latest checkpoint when no validation has run yet, with that validation.
/// `stemgen train` (at the end, and `--export-only`) and the studio's training job both export through here.
/// </summary>
public static class TrainingExport
{
    public const string FileName = "model.safetensors";

    /// <summary>The checkpoint an export reads: best.safetensors, else checkpoint.safetensors; null when the run has neither.</summary>
    public static string? SourceOf(string runDirectory)
    {
        var best = System.IO.Path.Combine(runDirectory, StemGenTrainer.BestModelFile);
        var latest = System.IO.Path.Combine(runDirectory, StemGenTrainer.CheckpointFile);
        return File.Exists(best) ? best : File.Exists(latest) ? latest : null;
    }

    /// <summary>Writes RUN/model.safetensors (weights only, on the CPU); InvalidOperationException when the run has nothing to export.</summary>
    public static ExportedModel Export(string runDirectory)
    {
        var from = SourceOf(runDirectory)
            ?? throw new InvalidOperationException($"{runDirectory}: no {StemGenTrainer.BestModelFile} or {StemGenTrainer.CheckpointFile} to export");
        ValidationResult? validation = null;
        using (var file = TrainingCheckpoint.Load(from))
            if (file.Metadata.ContainsKey(CheckpointKeys.Validation)) validation = file.Get<ValidationResult>(CheckpointKeys.Validation);
        var loaded = ModelCheckpoint.Load(from, StemGen.Torch.Device.CPU);
        using var model = loaded.Model;
        var path = System.IO.Path.Combine(runDirectory, FileName);
        ModelCheckpoint.Save(path, model, loaded.CodecIdentity, loaded.Step, validation);
        return new ExportedModel(path, from, loaded.Step, validation);
    }
}
