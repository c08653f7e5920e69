using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StemGen.Torch;

/// <summary>Reads and writes the safetensors format (https://github.com/huggingface/safetensors).</summary>
public static class SafeTensors
{
    /// <summary>Loads every tensor of the file onto <paramref name="device"/> (the CPU by default).</summary>
    public static Dictionary<string, Tensor> Load(string path, Device? device = null)
    {
        using var file = SafeTensorsFile.Open(path);
        return file.LoadAll(device);
    }

    /// <summary>The file's "__metadata__" strings, after validating its header; no tensor is read.</summary>
    public static IReadOnlyDictionary<string, string> LoadMetadata(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return file.Metadata;
    }

    /// <summary>
    /// Writes the tensors (any device, any layout) in name order, densely packed after an 8-byte aligned
    /// header. The file is replaced atomically: readers see the old file or the complete new one.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, tensors, metadata, SafeTensorsFile.DefaultChunkBytes);

    internal static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata, int chunkBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = Plan(tensors);
        var header = Header(entries, metadata);

        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                WriteData(stream, entries, chunkBytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw;
        }
    }

    private sealed record Planned(string Name, Tensor Tensor, string DType, long[] Shape, long Begin, long End);

    private static List<Planned> Plan(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var planned = new List<Planned>(tensors.Count);
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name.Length == 0) throw new ArgumentException("tensor names must not be empty", nameof(tensors));
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{name}' is reserved for the metadata and cannot name a tensor", nameof(tensors));
            ArgumentNullException.ThrowIfNull(tensor, $"{nameof(tensors)}[{name}]");
            var dtype = tensor.DType;
            if (!SafeTensorsDType.TryName(dtype, out var dtypeName))
                throw new ArgumentException($"tensor '{name}' is {dtype}, which safetensors cannot store (supported: {SafeTensorsDType.SupportedList})", nameof(tensors));
            var length = checked(tensor.NumEl * dtype.ElementSize());
            planned.Add(new Planned(name, tensor, dtypeName, tensor.Shape, offset, checked(offset + length)));
            offset += length;
        }
        return planned;
    }

    /// <summary>The JSON header, padded with spaces so the data buffer starts 8-byte aligned.</summary>
    private static byte[] Header(List<Planned> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps names and metadata readable UTF-8, as the reference writer does.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (value is null) throw new ArgumentException($"metadata value for '{key}' is null", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            foreach (var entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.DType);
                json.WriteStartArray("shape");
                foreach (var d in entry.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(entry.Begin);
                json.WriteNumberValue(entry.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteData(FileStream stream, List<Planned> entries, int chunkBytes)
    {
        var largest = entries.Count == 0 ? 0 : entries.Max(e => e.End - e.Begin);
        // A chunk holds at least one element even when chunkBytes is tiny.
        var buffer = new byte[Math.Min(largest, Math.Max(chunkBytes, 16))];
        foreach (var entry in entries)
        {
            var length = entry.End - entry.Begin;
            if (length <= chunkBytes)
            {
                var span = buffer.AsSpan(0, (int)length);
                entry.Tensor.CopyBytesTo(span);
                stream.Write(span);
                continue;
            }
            // Copies slices of the flattened tensor so host memory stays bounded and spans stay under 2 GiB.
            var elementSize = entry.Tensor.DType.ElementSize();
            var count = length / elementSize;
            var perChunk = Math.Max(1, chunkBytes / elementSize);
            using var flat = entry.Tensor.Reshape(-1);
            for (long at = 0; at < count; at += perChunk)
            {
                var n = Math.Min(perChunk, count - at);
                using var part = flat.Narrow(0, at, n);
                var span = buffer.AsSpan(0, (int)(n * elementSize));
                part.CopyBytesTo(span);
                stream.Write(span);
            }
        }
    }
}
