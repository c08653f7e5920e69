namespace StemGen.Torch;

/// <summary>The dtype names safetensors writes in its header, mapped to ours.</summary>
internal static class SafeTensorsDType
{
    private static readonly (string Name, ScalarType Type)[] Supported =
    [
        ("BOOL", ScalarType.Bool),
        ("U8", ScalarType.UInt8),
        ("I8", ScalarType.Int8),
        ("I16", ScalarType.Int16),
        ("I32", ScalarType.Int32),
        ("I64", ScalarType.Int64),
        ("F16", ScalarType.Float16),
        ("BF16", ScalarType.BFloat16),
        ("F32", ScalarType.Float32),
        ("F64", ScalarType.Float64),
    ];

    internal static string SupportedList => string.Join(", ", Supported.Select(s => s.Name));

    internal static bool TryParse(string name, out ScalarType type)
    {
        foreach (var (n, t) in Supported)
        {
            if (n == name)
            {
                type = t;
                return true;
            }
        }
        type = default;
        return false;
    }

    internal static bool TryName(ScalarType type, out string name)
    {
        foreach (var (n, t) in Supported)
        {
            if (t == type)
            {
                name = n;
                return true;
            }
        }
        name = "";
        return false;
    }
}
