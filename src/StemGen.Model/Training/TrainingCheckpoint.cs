using System.Text.Json;
using StemGen.Torch;

namespace StemGen.Model.Training;

/// <summary>
/// One resumable training state in one safetensors file: model tensors under "model.", optimiser
/// tensors under "optimizer.", and everything else (config, step, RNG seed, codec identity, ...)
/// as JSON strings in the file's metadata. Written atomically, so a run killed mid-save keeps its
/// previous checkpoint.
/// </summary>
public sealed class TrainingCheckpoint : IDisposable
{
    private const string ModelPrefix = "model.";
    private const string OptimizerPrefix = "optimizer.";

    private TrainingCheckpoint(Dictionary<string, Tensor> model, Dictionary<string, Tensor> optimizer, IReadOnlyDictionary<string, string> metadata)
    {
        Model = model;
        Optimizer = optimizer;
        Metadata = metadata;
    }

    public IReadOnlyDictionary<string, Tensor> Model { get; }
    public IReadOnlyDictionary<string, Tensor> Optimizer { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>A metadata entry read back as JSON of type T.</summary>
    public T Get<T>(string key) =>
        Metadata.TryGetValue(key, out var json)
            ? JsonSerializer.Deserialize<T>(json) ?? throw new InvalidDataException($"checkpoint metadata '{key}' is null")
            : throw new KeyNotFoundException($"checkpoint has no metadata '{key}'");

    public static void Save(string path, IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor>? optimizer,
        IReadOnlyDictionary<string, object> metadata)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in model) tensors[ModelPrefix + name] = t;
        foreach (var (name, t) in optimizer ?? new Dictionary<string, Tensor>()) tensors[OptimizerPrefix + name] = t;
        var strings = metadata.ToDictionary(p => p.Key, p => JsonSerializer.Serialize(p.Value));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SafeTensors.Save(path, tensors, strings);
    }

    /// <summary>Loads a checkpoint (tensors on <paramref name="device"/>); dispose it to free them.</summary>
    public static TrainingCheckpoint Load(string path, Device? device = null)
    {
        using var file = SafeTensorsFile.Open(path);
        var all = file.LoadAll(device);
        foreach (var t in all.Values) t.DetachFromDisposeScope(); // owned by the checkpoint
        Dictionary<string, Tensor> Part(string prefix) =>
            all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
        var model = Part(ModelPrefix);
        var optimizer = Part(OptimizerPrefix);
        foreach (var stray in all.Keys.Where(k => !k.StartsWith(ModelPrefix, StringComparison.Ordinal) && !k.StartsWith(OptimizerPrefix, StringComparison.Ordinal)))
            all[stray].Dispose();
        return new TrainingCheckpoint(model, optimizer, file.Metadata.ToDictionary());
    }

    public void Dispose()
    {
        foreach (var t in Model.Values.Concat(Optimizer.Values)) t.Dispose();
    }
}
