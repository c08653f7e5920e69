namespace StemGen.Torch;

/// <summary>Device kinds; values equal c10::DeviceType.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>A compute device such as "cpu" or "cuda:1".</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    /// <summary>The first CUDA device when libtorch sees one, the CPU otherwise.</summary>
    public static Device Best => TorchRuntime.Cuda.IsAvailable ? CUDA() : CPU;

    public static Device Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new FormatException($"unknown device '{text}': use cpu, cuda or cuda:N"),
        };
        if (parts.Length == 1) return type == DeviceType.CUDA ? CUDA() : CPU;
        if (parts.Length == 2 && int.TryParse(parts[1], out var index) && index >= 0) return new(type, index);
        throw new FormatException($"bad device '{text}': use cpu, cuda or cuda:N");
    }

    /// <summary>
    /// A device setting as the command line, the studio and the worker take it: "best" or "auto" (or nothing) for
    /// <see cref="Best"/>, otherwise as <see cref="Parse"/> ("cpu", "cuda", "cuda:N"); throws FormatException.
    /// </summary>
    public static Device FromOption(string? text) =>
        string.IsNullOrWhiteSpace(text) || text.Trim().ToLowerInvariant() is "best" or "auto" ? Best : Parse(text);

    public override string ToString() =>
        (Type == DeviceType.CPU ? "cpu" : "cuda") + (Index >= 0 && Type != DeviceType.CPU ? $":{Index}" : "");
}
