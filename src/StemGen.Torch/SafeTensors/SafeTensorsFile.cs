using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace StemGen.Torch;

/// <summary>What the header says about one tensor.</summary>
public readonly record struct SafeTensorInfo(ScalarType DType, long[] Shape, long ByteLength);

/// <summary>
/// A safetensors file mapped into memory. <see cref="Open"/> validates the whole header, so every
/// later call works on a well-formed file; tensors are copied out of the mapping, which stays open
/// until <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    /// <summary>Largest slice copied at once: keeps spans under 2 GiB and bounds extra memory for big tensors.</summary>
    internal const int DefaultChunkBytes = 64 << 20;

    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* data;
    private readonly SafeTensorsHeader header;
    private readonly string[] names;
    private readonly IReadOnlyDictionary<string, string> metadata;
    private bool disposed;

    private SafeTensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* data, SafeTensorsHeader header)
    {
        Path = path;
        this.map = map;
        this.view = view;
        this.data = data;
        this.header = header;
        names = [.. header.Entries.Keys.Order(StringComparer.Ordinal)];
        metadata = header.Metadata.AsReadOnly();
    }

    public string Path { get; }

    /// <summary>The header's "__metadata__" strings (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata => metadata;

    /// <summary>Tensor names in ordinal order.</summary>
    public IReadOnlyList<string> Names => names;

    public bool Contains(string name) => header.Entries.ContainsKey(name);

    public SafeTensorInfo Info(string name)
    {
        var entry = Entry(name);
        return new SafeTensorInfo(entry.DType, (long[])entry.Shape.Clone(), entry.ByteLength);
    }

    /// <summary>Maps the file and validates its header; malformed files throw <see cref="SafeTensorsFormatException"/>.</summary>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            var fileLength = stream.Length;
            if (fileLength < 8)
                throw SafeTensorsHeader.Fail(path, $"file is {fileLength} bytes, shorter than the 8-byte header length");
            Span<byte> prefix = stackalloc byte[8];
            stream.ReadExactly(prefix);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)(fileLength - 8))
                throw SafeTensorsHeader.Fail(path, $"header length {headerLength} exceeds file size {fileLength}");
            if (headerLength > SafeTensorsHeader.MaxHeaderLength)
                throw SafeTensorsHeader.Fail(path, $"header length {headerLength} exceeds the {SafeTensorsHeader.MaxHeaderLength}-byte limit");

            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            acquired = true;
            start += view.PointerOffset;

            var json = new ReadOnlySpan<byte>(start + 8, (int)headerLength).ToArray();
            var dataOffset = 8 + (long)headerLength;
            var parsed = SafeTensorsHeader.Parse(path, json, fileLength - dataOffset);
            return new SafeTensorsFile(path, map, view, start + dataOffset, parsed);
        }
        catch
        {
            if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Copies one tensor out of the file onto <paramref name="device"/> (the CPU by default).</summary>
    public Tensor Load(string name, Device? device = null) => Load(name, device, DefaultChunkBytes);

    internal Tensor Load(string name, Device? device, int chunkBytes)
    {
        var entry = Entry(name);
        var source = data + entry.Begin;
        if (entry.ByteLength <= chunkBytes)
            return Tensor.FromBytes(new ReadOnlySpan<byte>(source, (int)entry.ByteLength), entry.DType, entry.Shape, device);

        // Too big for one span: fill a flat tensor slice by slice, then give it the real shape.
        var elementSize = entry.DType.ElementSize();
        var count = entry.ByteLength / elementSize;
        var perChunk = Math.Max(1, chunkBytes / elementSize);
        using var flat = Tensors.Empty([count], entry.DType, device);
        for (long at = 0; at < count; at += perChunk)
        {
            var n = Math.Min(perChunk, count - at);
            using var part = Tensor.FromBytes(new ReadOnlySpan<byte>(source + at * elementSize, (int)(n * elementSize)), entry.DType, [n]);
            using var target = flat.Narrow(0, at, n);
            target.CopyFrom(part);
        }
        return flat.View(entry.Shape);
    }

    /// <summary>Copies every tensor out of the file; on failure, those already loaded are freed.</summary>
    public Dictionary<string, Tensor> LoadAll(Device? device = null) => LoadAll(device, DefaultChunkBytes);

    internal Dictionary<string, Tensor> LoadAll(Device? device, int chunkBytes)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var name in names) result.Add(name, Load(name, device, chunkBytes));
            return result;
        }
        catch
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw;
        }
    }

    private SafeTensorsEntry Entry(string name)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return header.Entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }
}
