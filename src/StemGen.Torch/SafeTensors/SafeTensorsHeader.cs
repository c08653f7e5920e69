using System.Text.Json;
using System.Text.Unicode;

namespace StemGen.Torch;

/// <summary>One tensor's header entry; offsets are relative to the start of the data buffer.</summary>
internal sealed record SafeTensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>Parses and validates a safetensors JSON header against the size of the data buffer after it.</summary>
internal sealed class SafeTensorsHeader
{
    internal const string MetadataKey = "__metadata__";

    /// <summary>The reference implementation's limit; anything larger is a corrupt length, not a real header.</summary>
    internal const long MaxHeaderLength = 100_000_000;

    private SafeTensorsHeader(Dictionary<string, SafeTensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    internal Dictionary<string, SafeTensorsEntry> Entries { get; }
    internal Dictionary<string, string> Metadata { get; }

    internal static SafeTensorsHeader Parse(string path, byte[] json, long bufferLength)
    {
        // JsonDocument only checks UTF-8 when a string is decoded, so check it all first.
        if (!Utf8.IsValid(json)) throw Fail(path, "header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Fail(path, $"header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            try
            {
                return Read(path, document.RootElement, bufferLength);
            }
            catch (InvalidOperationException e)
            {
                // Decoding an escaped lone surrogate ("\ud800") lands here.
                throw Fail(path, $"header is not valid JSON: {e.Message}", e);
            }
        }
    }

    private static SafeTensorsHeader Read(string path, JsonElement root, long bufferLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Fail(path, $"header is a JSON {Kind(root)}, not an object");
        var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var sawMetadata = false;
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            if (name == MetadataKey)
            {
                if (sawMetadata) throw Fail(path, $"header has \"{MetadataKey}\" twice");
                sawMetadata = true;
                ReadMetadata(path, property.Value, metadata);
                continue;
            }
            if (name.Length == 0) throw Fail(path, "header has a tensor with an empty name");
            if (entries.ContainsKey(name)) throw Fail(path, $"header names tensor '{name}' twice");
            entries.Add(name, ReadEntry(path, name, property.Value, bufferLength));
        }
        CheckCoverage(path, entries.Values, bufferLength);
        return new SafeTensorsHeader(entries, metadata);
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        // The reference reader treats null as "no metadata".
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(path, $"\"{MetadataKey}\" is a JSON {Kind(value)}, not an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Fail(path, $"metadata value for '{item.Name}' is a JSON {Kind(item.Value)}, not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Fail(path, $"metadata key '{item.Name}' appears twice");
        }
    }

    private static SafeTensorsEntry ReadEntry(string path, string name, JsonElement value, long bufferLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(path, $"tensor '{name}' is a JSON {Kind(value)}, not an object");

        if (!value.TryGetProperty("dtype", out var dtypeElement))
            throw Fail(path, $"tensor '{name}' has no \"dtype\"");
        if (dtypeElement.ValueKind != JsonValueKind.String)
            throw Fail(path, $"tensor '{name}': \"dtype\" is a JSON {Kind(dtypeElement)}, not a string");
        var dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDType.TryParse(dtypeName, out var dtype))
            throw Fail(path, $"tensor '{name}' has unsupported dtype \"{Clip(dtypeName)}\" (supported: {SafeTensorsDType.SupportedList})");

        if (!value.TryGetProperty("shape", out var shapeElement))
            throw Fail(path, $"tensor '{name}' has no \"shape\"");
        var shape = ReadIntegers(path, name, "shape", shapeElement);
        foreach (var d in shape)
            if (d < 0) throw Fail(path, $"tensor '{name}' has negative dimension {d} in shape [{string.Join(", ", shape)}]");

        if (!value.TryGetProperty("data_offsets", out var offsetsElement))
            throw Fail(path, $"tensor '{name}' has no \"data_offsets\"");
        var offsets = ReadIntegers(path, name, "data_offsets", offsetsElement);
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < 0)
            throw Fail(path, $"tensor '{name}': \"data_offsets\" must be two non-negative integers, found {Clip(offsetsElement.GetRawText())}");
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end)
            throw Fail(path, $"tensor '{name}': data_offsets [{begin}, {end}] begin after they end");
        if (end > bufferLength)
            throw Fail(path, $"tensor '{name}': data_offsets [{begin}, {end}] run past the end of the {bufferLength}-byte data buffer (truncated file?)");

        var need = ByteLength(path, name, dtype, shape);
        if (end - begin != need)
            throw Fail(path, $"tensor '{name}': data_offsets [{begin}, {end}] span {end - begin} bytes, but {dtypeName} [{string.Join(", ", shape)}] needs {need}");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static long[] ReadIntegers(string path, string name, string key, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw Fail(path, $"tensor '{name}': \"{key}\" is a JSON {Kind(element)}, not an array of integers");
        var values = new long[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i++]))
                throw Fail(path, $"tensor '{name}': \"{key}\" holds {Clip(item.GetRawText())}, not a 64-bit integer");
        }
        return values;
    }

    /// <summary>
    /// numel * element size, refused on overflow. Zero dimensions count as 1 in the guard, so a shape
    /// such as [0, 2^62, 2^62] cannot overflow libtorch's own stride arithmetic either.
    /// </summary>
    private static long ByteLength(string path, string name, ScalarType dtype, long[] shape)
    {
        try
        {
            long guard = dtype.ElementSize(), count = 1;
            foreach (var d in shape)
            {
                guard = checked(guard * Math.Max(d, 1));
                count *= d;
            }
            return count * dtype.ElementSize();
        }
        catch (OverflowException e)
        {
            throw Fail(path, $"tensor '{name}': shape [{string.Join(", ", shape)}] is too large (its byte size overflows 64 bits)", e);
        }
    }

    /// <summary>The spec requires the tensors to tile the data buffer exactly: no overlaps, no holes.</summary>
    private static void CheckCoverage(string path, IEnumerable<SafeTensorsEntry> entries, long bufferLength)
    {
        long covered = 0;
        SafeTensorsEntry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.Begin < covered)
                throw Fail(path, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{entry.Name}' [{entry.Begin}, {entry.End}] overlap in the data buffer");
            if (entry.Begin > covered)
                throw Fail(path, $"data buffer has a hole at bytes [{covered}, {entry.Begin}) that no tensor covers");
            covered = entry.End;
            previous = entry;
        }
        if (covered != bufferLength)
            throw Fail(path, $"data buffer has a hole at bytes [{covered}, {bufferLength}) after the last tensor");
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var kind => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Keeps messages readable when a corrupt header holds huge values.</summary>
    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "...";

    internal static SafeTensorsFormatException Fail(string path, string problem, Exception? inner = null) =>
        new(path, problem, inner);
}
