using StemGen.Torch;

namespace StemGen.Evaluation.Fad;

/// <summary>A VGGish weight file that does not match the network; the message names the tensor and the problem.</summary>
public sealed class VggishWeightsException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string FilePath { get; } = path;
    public string Problem { get; } = problem;
}

/// <summary>
/// The public VGGish weights (the TF-slim AudioSet checkpoint as converted for PyTorch by torchvggish,
/// vggish-10086976.pth, saved as safetensors), with their exact names and shapes. Layout: conv 3x3 /
/// ReLU blocks 64 | pool | 128 | pool | 256, 256 | pool | 512, 512 | pool, then fully connected
/// 12288 -> 4096 -> 4096 -> 128 (12288 = 6 x 4 x 512 flattened in TF's height, width, channel order).
/// The loader is strict: every tensor must be present with its shape and a floating type, and no
/// other tensor may be in the file, so a wrong or renamed file never gives silently wrong FADs.
/// </summary>
public static class VggishWeights
{
    /// <summary>Every tensor of the official file: name and shape.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Expected { get; } =
    [
        ("features.0.weight", [64, 1, 3, 3]), ("features.0.bias", [64]),
        ("features.3.weight", [128, 64, 3, 3]), ("features.3.bias", [128]),
        ("features.6.weight", [256, 128, 3, 3]), ("features.6.bias", [256]),
        ("features.8.weight", [256, 256, 3, 3]), ("features.8.bias", [256]),
        ("features.11.weight", [512, 256, 3, 3]), ("features.11.bias", [512]),
        ("features.13.weight", [512, 512, 3, 3]), ("features.13.bias", [512]),
        ("embeddings.0.weight", [4096, 12288]), ("embeddings.0.bias", [4096]),
        ("embeddings.2.weight", [4096, 4096]), ("embeddings.2.bias", [4096]),
        ("embeddings.4.weight", [128, 4096]), ("embeddings.4.bias", [128]),
    ];

    /// <summary>The conv layers in order (the index of each in torchvggish's features Sequential).</summary>
    public static IReadOnlyList<int> ConvLayers { get; } = [0, 3, 6, 8, 11, 13];

    /// <summary>After which conv layers a 2x2 max pool follows.</summary>
    public static IReadOnlySet<int> PoolAfter { get; } = new HashSet<int> { 0, 3, 8, 13 };

    public static IReadOnlyList<int> FullyConnectedLayers { get; } = [0, 2, 4];

    /// <summary>Checks the file's header against <see cref="Expected"/> without reading tensors; throws naming every problem found.</summary>
    public static void Validate(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        Validate(file);
    }

    private static void Validate(SafeTensorsFile file)
    {
        var problems = new List<string>();
        var expectedNames = Expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, shape) in Expected)
        {
            if (!file.Contains(name))
            {
                problems.Add($"tensor '{name}' is missing");
                continue;
            }
            var info = file.Info(name);
            if (!info.Shape.SequenceEqual(shape))
                problems.Add($"tensor '{name}' has shape [{string.Join(", ", info.Shape)}], VGGish needs [{string.Join(", ", shape)}]");
            if (!info.DType.IsFloatingPoint())
                problems.Add($"tensor '{name}' has type {info.DType}, VGGish needs floating point");
        }
        foreach (var name in file.Names)
            if (!expectedNames.Contains(name)) problems.Add($"unexpected tensor '{name}' (not part of VGGish)");
        if (problems.Count > 0)
            throw new VggishWeightsException(file.Path, "not a VGGish weight file: " + string.Join("; ", problems));
    }

    /// <summary>Validates, then loads every tensor as float32 on <paramref name="device"/>. The caller owns the tensors.</summary>
    public static Dictionary<string, Tensor> Load(string path, Device? device = null)
    {
        using var file = SafeTensorsFile.Open(path);
        Validate(file);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, _) in Expected)
        {
            using var raw = file.Load(name, device);
            var t = raw.To(ScalarType.Float32);
            t.DetachFromDisposeScope();
            result[name] = t;
        }
        return result;
    }
}
