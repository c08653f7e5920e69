using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StemGen.Jobs;
using StemGen.Model;
using StemGen.Model.Training;
using StemGen.Model.Transformer;
using StemGen.Torch;
using StemGen.Web.Data;

namespace StemGen.Web.Training;

/// <summary>
/// Every exported model the studio can see: the repository's models/*.safetensors and each training run's
/// model.safetensors, described from the file's own metadata (codec identity, model config, step, validation)
/// and, for a run's export, the run that made it and its listening check; <see cref="ModelServing"/> switches which one is served.
/// </summary>
public sealed class ModelLibrary(StudioDbContext db, IOptions<StudioOptions> studio, IOptions<GenerationOptions> generation)
{
    public sealed record ExportedModel(string Name, string Path, string CodecIdentity, long Step, long ParameterCount, int Layers, int ModelDim,
        double ContextDropout, double? ValidationLoss, double? ValidationAccuracy, IReadOnlyList<double>? LevelAccuracy, int? RunId, string? Preset,
        string? Dataset, bool Served, string? Error, double? ListeningGain = null);

    public async Task<List<ExportedModel>> ListAsync(CancellationToken cancellationToken = default)
    {
        // The newest switch (ModelServing) or, before any, the configured model.
        var served = await db.ServedModels.AsNoTracking().OrderByDescending(m => m.Id).Select(m => m.Path).FirstOrDefaultAsync(cancellationToken);
        if (served is null)
            try { served = System.IO.Path.GetFullPath(ShippedModels.CheckpointPath(generation.Value.ModelCheckpointPath)); }
            catch (FileNotFoundException) { }
        var files = new List<(string Name, string Path, TrainingRun? Run)>();
        if (ShippedModels.ModelsFolder() is { } folder && Directory.Exists(folder))
            foreach (var file in Directory.EnumerateFiles(folder, "*.safetensors").Order(StringComparer.Ordinal))
                files.Add(($"models/{System.IO.Path.GetFileName(file)}", file, null));
        var runs = await db.TrainingRuns.AsNoTracking().Where(r => r.Exported).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        foreach (var run in runs)
        {
            var file = System.IO.Path.Combine(studio.Value.FullDataDirectory, run.Folder, TrainingRunJob.ExportFile);
            if (File.Exists(file)) files.Add(($"run {run.Id}", file, run));
        }
        return files.Select(f => Describe(f.Name, f.Path, f.Run, served)).Where(m => m is not null).Select(m => m!).ToList();
    }

    /// <summary>A model file's description; null for a file that is not a StemGen model (a codec).</summary>
    private static ExportedModel? Describe(string name, string path, TrainingRun? run, string? served)
    {
        IReadOnlyDictionary<string, string> metadata;
        try { metadata = SafeTensors.LoadMetadata(path); }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or SafeTensorsFormatException)
        {
            return new ExportedModel(name, path, "", 0, 0, 0, 0, 0, null, null, null, run?.Id, run?.Preset, run?.Dataset, false, $"cannot be read: {e.Message}");
        }
        // Our files store each value as JSON ("\"stemgen-model/1\""); other safetensors (a codec) may hold plain strings.
        if (!metadata.TryGetValue(CheckpointKeys.Format, out var format) || format.Trim().Trim('"') != CheckpointKeys.ModelFormat) return null;
        T? Get<T>(string key) => metadata.TryGetValue(key, out var json) ? JsonSerializer.Deserialize<T>(json) : default;
        StemGenConfig config;
        ValidationResult? validation;
        try
        {
            config = Get<StemGenConfig>(CheckpointKeys.ModelConfig) ?? throw new InvalidDataException("no model config in its metadata");
            validation = Get<ValidationResult>(CheckpointKeys.Validation);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return new ExportedModel(name, path, "", 0, 0, 0, 0, 0, null, null, null, run?.Id, run?.Preset, run?.Dataset, false, $"metadata cannot be read: {e.Message}");
        }
        return new ExportedModel(name, path, Get<string>(CheckpointKeys.Codec) ?? "", Get<long>(CheckpointKeys.Step), config.ParameterCount, config.Layers, config.ModelDim,
            config.ContextDropout, validation?.Loss, validation?.Accuracy, validation?.LevelAccuracy, run?.Id, run?.Preset, run?.Dataset,
            served is not null && System.IO.Path.GetFullPath(path) == served, null, run?.ListeningGain);
    }
}
