using System.Buffers.Binary;
using System.Text;
using StemGen.Torch;

namespace StemGen.Torch.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("safetensors-tests-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    /// <summary>A file built by hand: length prefix, the JSON exactly as given, then the data bytes.</summary>
    private string WriteRaw(string json, byte[]? data = null, ulong? headerLength = null, string name = "raw.safetensors")
    {
        var header = Encoding.UTF8.GetBytes(json);
        return WriteBytes(name, Prefix(headerLength ?? (ulong)header.Length), header, data ?? []);
    }

    private string WriteBytes(string name, params byte[][] parts)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, parts.SelectMany(p => p).ToArray());
        return path;
    }

    private static byte[] Prefix(ulong length)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, length);
        return prefix;
    }

    private static byte[] Bytes(Tensor tensor)
    {
        var bytes = new byte[tensor.NumEl * tensor.DType.ElementSize()];
        tensor.CopyBytesTo(bytes);
        return bytes;
    }

    /// <summary>A tensor of random bytes (bools kept to 0/1) so every bit pattern of the dtype is exercised.</summary>
    private static Tensor RandomTensor(ScalarType dtype, long[] shape, int seed)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var bytes = new byte[count * dtype.ElementSize()];
        new Random(seed).NextBytes(bytes);
        if (dtype == ScalarType.Bool)
            for (var i = 0; i < bytes.Length; i++) bytes[i] &= 1;
        return Tensor.FromBytes(bytes, dtype, shape);
    }

    private SafeTensorsFormatException Refused(string path)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() =>
        {
            using var file = SafeTensorsFile.Open(path);
        });
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    private const string F32Entry = "\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    // ---- round trips ----

    [Theory]
    [InlineData(ScalarType.Bool)]
    [InlineData(ScalarType.UInt8)]
    [InlineData(ScalarType.Int8)]
    [InlineData(ScalarType.Int16)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Round_trip_preserves_dtype_shape_and_bytes(ScalarType dtype)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var original = RandomTensor(dtype, [3, 5], seed: (int)dtype);
        var path = PathOf("dtype.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = original });

        var loaded = SafeTensors.Load(path)["w"];
        Assert.Equal(dtype, loaded.DType);
        Assert.Equal([3L, 5L], loaded.Shape);
        Assert.Equal(Bytes(original), Bytes(loaded));
    }

    [Fact]
    public void Round_trip_scalar_tensor_keeps_zero_dimensions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("scalar.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["s"] = Tensor.Scalar(3.5f) });

        using var file = SafeTensorsFile.Open(path);
        var info = file.Info("s");
        Assert.Equal(ScalarType.Float32, info.DType);
        Assert.Empty(info.Shape);
        Assert.Equal(4, info.ByteLength);
        var loaded = file.Load("s");
        Assert.Empty(loaded.Shape);
        Assert.Equal(3.5f, loaded.ToSingle());
    }

    [Fact]
    public void Round_trip_empty_tensor_keeps_shape_beside_other_tensors()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("empty.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["a"] = Tensor.FromArray([1f, 2f]),
            ["b"] = Tensors.Zeros([0, 4], ScalarType.Float64),
            ["c"] = Tensor.FromArray([7L]),
        });

        var loaded = SafeTensors.Load(path);
        Assert.Equal([0L, 4L], loaded["b"].Shape);
        Assert.Equal(0, loaded["b"].NumEl);
        Assert.Equal(ScalarType.Float64, loaded["b"].DType);
        Assert.Equal([1f, 2f], loaded["a"].ToArray<float>());
        Assert.Equal([7L], loaded["c"].ToArray<long>());
    }

    [Fact]
    public void Round_trip_no_tensors_writes_a_valid_file()
    {
        var path = PathOf("none.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["k"] = "v" });

        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Names);
        Assert.Equal("v", file.Metadata["k"]);
    }

    [Fact]
    public void Round_trip_metadata_keeps_every_string()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["quotes \"and\" \\slashes"] = "line\nbreak\ttab",
            ["unicode"] = "Ünïcødé ✓ 🎵",
            ["empty"] = "",
        };
        var path = PathOf("meta.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray([1f]) }, metadata);

        var read = SafeTensors.LoadMetadata(path);
        Assert.Equal(metadata.OrderBy(p => p.Key), read.OrderBy(p => p.Key));
    }

    [Fact]
    public void Round_trip_non_contiguous_tensor_is_stored_row_major()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var transposed = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3).Transpose(0, 1);
        Assert.False(transposed.IsContiguous);
        var path = PathOf("transposed.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = transposed });

        var loaded = SafeTensors.Load(path)["t"];
        Assert.Equal([3L, 2L], loaded.Shape);
        Assert.Equal([1, 4, 2, 5, 3, 6], loaded.ToArray<int>());
    }

    [Fact]
    public void Round_trip_in_chunks_matches_single_copy()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["big"] = RandomTensor(ScalarType.Float32, [7, 11], seed: 1),
            ["odd"] = RandomTensor(ScalarType.Int64, [5, 3], seed: 2),
        };
        var whole = PathOf("whole.safetensors");
        var chunked = PathOf("chunked.safetensors");
        SafeTensors.Save(whole, tensors);
        SafeTensors.Save(chunked, tensors, null, chunkBytes: 20);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(chunked));

        using var file = SafeTensorsFile.Open(chunked);
        var loaded = file.LoadAll(null, chunkBytes: 20);
        Assert.Equal([7L, 11L], loaded["big"].Shape);
        Assert.Equal(Bytes(tensors["big"]), Bytes(loaded["big"]));
        Assert.Equal(Bytes(tensors["odd"]), Bytes(loaded["odd"]));
    }

    // ---- layout ----

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("abc")]
    [InlineData("abcdefg")]
    [InlineData("a.much.longer.parameter.name")]
    public void Save_pads_header_with_spaces_to8_byte_alignment(string name)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("aligned.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { [name] = Tensor.FromArray([1.0]) });

        var bytes = File.ReadAllBytes(path);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.EndsWith("}", header.TrimEnd(' '));
        Assert.Equal(8, bytes.Length - 8 - headerLength);
    }

    [Fact]
    public void Save_packs_tensors_in_name_order_without_holes()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("order.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.FromArray([2, 2]),
            ["a"] = Tensor.FromArray([(byte)1]),
            ["c"] = Tensor.FromArray([3.0]),
        });

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd(' ');
        Assert.Equal(
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}," +
            "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[1,9]}," +
            "\"c\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[9,17]}}",
            header);
        Assert.Equal(8 + headerLength + 17, bytes.Length);
    }

    [Fact]
    public void Save_same_tensors_twice_writes_identical_bytes()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = RandomTensor(ScalarType.Float32, [4, 4], seed: 3);
        var y = RandomTensor(ScalarType.BFloat16, [6], seed: 4);
        var first = PathOf("first.safetensors");
        var second = PathOf("second.safetensors");
        SafeTensors.Save(first, new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y },
            new Dictionary<string, string> { ["m"] = "1", ["a"] = "2" });
        // Insertion order must not matter either.
        SafeTensors.Save(second, new Dictionary<string, Tensor> { ["y"] = y, ["x"] = x },
            new Dictionary<string, string> { ["a"] = "2", ["m"] = "1" });

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    // ---- reading a file built by hand from the spec ----

    [Fact]
    public void Open_hand_built_file_reads_values_shapes_and_metadata()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        // "b" comes first in the buffer though "a" comes first by name; extra whitespace and an
        // unknown entry key are allowed by the spec.
        var json = """
            { "a" : {"shape":[2,2], "dtype":"F32", "data_offsets":[8,24], "extra": true},
              "__metadata__": {"format":"pt", "note":"hand-made"},
              "b": {"dtype":"I64","shape":[1],"data_offsets":[0,8]},
              "c": {"dtype":"BF16","shape":[],"data_offsets":[24,26]},
              "d": {"dtype":"BOOL","shape":[3,0],"data_offsets":[26,26]},
              "e": {"dtype":"I16","shape":[2],"data_offsets":[26,30]} }
            """;
        var data = new byte[30];
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(0), -42);
        float[] values = [1.5f, -2f, 0.25f, 1e10f];
        for (var i = 0; i < 4; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8 + 4 * i), values[i]);
        // bfloat16 is the high half of a float32: 0x3FC0 = 1.5.
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(24), 0x3FC0);
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(26), -300);
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(28), 301);
        var path = WriteRaw(json, data);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(["a", "b", "c", "d", "e"], file.Names);
        Assert.Equal("hand-made", file.Metadata["note"]);
        Assert.True(file.Contains("a"));
        Assert.False(file.Contains("__metadata__"));
        var info = file.Info("a");
        Assert.Equal(ScalarType.Float32, info.DType);
        Assert.Equal([2L, 2L], info.Shape);
        Assert.Equal(16, info.ByteLength);

        var all = file.LoadAll();
        Assert.Equal([2L, 2L], all["a"].Shape);
        Assert.Equal(values, all["a"].ToArray<float>());
        Assert.Equal([-42L], all["b"].ToArray<long>());
        Assert.Equal(ScalarType.BFloat16, all["c"].DType);
        Assert.Equal(1.5, all["c"].ToDouble());
        Assert.Equal([3L, 0L], all["d"].Shape);
        Assert.Equal([(short)-300, (short)301], all["e"].ToArray<short>());
    }

    [Fact]
    public void Open_null_metadata_reads_as_empty()
    {
        var path = WriteRaw("{\"__metadata__\":null}");
        using var file = SafeTensorsFile.Open(path);
        Assert.Empty(file.Metadata);
    }

    // ---- refusals ----

    [Fact]
    public void Open_missing_file_throws_file_not_found()
    {
        var path = PathOf("missing.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("missing.safetensors", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Open_file_shorter_than8_bytes_is_refused(int length)
    {
        var path = WriteBytes("short.safetensors", new byte[length]);
        Assert.Contains($"file is {length} bytes, shorter than the 8-byte header length", Refused(path).Message);
    }

    [Fact]
    public void Open_header_length_beyond_file_size_is_refused()
    {
        var path = WriteRaw("{}", headerLength: 9999999999);
        Assert.Contains("header length 9999999999 exceeds file size 10", Refused(path).Message);
    }

    [Fact]
    public void Open_header_length_over100_MB_is_refused()
    {
        var path = PathOf("huge-header.safetensors");
        using (var stream = File.Create(path))
        {
            stream.Write(Prefix(150_000_000));
            // Sparse on most file systems: the length is what matters.
            stream.SetLength(8 + 150_000_000);
        }
        Assert.Contains("header length 150000000 exceeds the 100000000-byte limit", Refused(path).Message);
    }

    [Fact]
    public void Open_header_not_utf8_is_refused()
    {
        var json = Encoding.UTF8.GetBytes("{\"x\":\"??\"}");
        json[6] = 0xFF;
        json[7] = 0xFE;
        var path = WriteBytes("utf8.safetensors", Prefix((ulong)json.Length), json);
        Assert.Contains("header is not valid UTF-8", Refused(path).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{not json}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{} trailing")]
    [InlineData("{\"\\ud800\":{}}")]
    public void Open_header_not_json_is_refused(string json)
    {
        Assert.Contains("header is not valid JSON", Refused(WriteRaw(json)).Message);
    }

    [Theory]
    [InlineData("[1, 2]", "array")]
    [InlineData("\"text\"", "string")]
    [InlineData("42", "number")]
    [InlineData("null", "null")]
    public void Open_header_not_an_object_is_refused(string json, string kind)
    {
        Assert.Contains($"header is a JSON {kind}, not an object", Refused(WriteRaw(json)).Message);
    }

    [Fact]
    public void Open_entry_not_an_object_is_refused()
    {
        Assert.Contains("tensor 't' is a JSON number, not an object", Refused(WriteRaw("{\"t\":5}")).Message);
    }

    [Theory]
    [InlineData("{\"t\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor 't' has no \"dtype\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "tensor 't' has no \"shape\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", "tensor 't' has no \"data_offsets\"")]
    public void Open_entry_missing_key_is_refused(string json, string message)
    {
        Assert.Contains(message, Refused(WriteRaw(json, new byte[8])).Message);
    }

    [Theory]
    [InlineData("{\"t\":{\"dtype\":5,\"shape\":[2],\"data_offsets\":[0,8]}}", "\"dtype\" is a JSON number, not a string")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", "\"shape\" is a JSON string, not an array of integers")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "\"shape\" holds 2.5, not a 64-bit integer")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,8]}}", "\"shape\" holds true, not a 64-bit integer")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", "\"shape\" holds 99999999999999999999, not a 64-bit integer")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{}}}", "\"data_offsets\" is a JSON object, not an array of integers")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,\"8\"]}}", "\"data_offsets\" holds \"8\", not a 64-bit integer")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", "\"data_offsets\" must be two non-negative integers, found [8]")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", "\"data_offsets\" must be two non-negative integers")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", "\"data_offsets\" must be two non-negative integers")]
    public void Open_EntryWithWrongJsonTypes_IsRefused(string json, string message)
    {
        var e = Refused(WriteRaw(json, new byte[8]));
        Assert.Contains("tensor 't'", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Open_negative_dimension_is_refused()
    {
        var path = WriteRaw("{\"t\":{\"dtype\":\"F32\",\"shape\":[-2,-4],\"data_offsets\":[0,32]}}", new byte[32]);
        Assert.Contains("tensor 't' has negative dimension -2 in shape [-2, -4]", Refused(path).Message);
    }

    [Theory]
    [InlineData("F8_E4M3")]
    [InlineData("F8_E5M2")]
    [InlineData("U16")]
    [InlineData("U32")]
    [InlineData("U64")]
    [InlineData("C64")]
    [InlineData("f32")]
    [InlineData("")]
    public void Open_unsupported_dtype_is_refused(string dtype)
    {
        var path = WriteRaw($"{{\"t\":{{\"dtype\":\"{dtype}\",\"shape\":[1],\"data_offsets\":[0,1]}}}}", new byte[1]);
        var e = Refused(path);
        Assert.Contains($"tensor 't' has unsupported dtype \"{dtype}\"", e.Message);
        Assert.Contains("supported: BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64", e.Message);
    }

    [Fact]
    public void Open_offsets_past_the_buffer_are_refused()
    {
        var path = WriteRaw("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]);
        Assert.Contains("tensor 't': data_offsets [0, 8] run past the end of the 4-byte data buffer", Refused(path).Message);
    }

    [Fact]
    public void Open_offsets_begin_after_end_are_refused()
    {
        var path = WriteRaw("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", new byte[8]);
        Assert.Contains("tensor 't': data_offsets [8, 0] begin after they end", Refused(path).Message);
    }

    [Fact]
    public void Open_byte_length_not_matching_shape_is_refused()
    {
        var path = WriteRaw("{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        Assert.Contains("tensor 't': data_offsets [0, 8] span 8 bytes, but F32 [3] needs 12", Refused(path).Message);
    }

    [Theory]
    [InlineData("[4294967296, 4294967296]")]
    [InlineData("[9223372036854775807, 2]")]
    [InlineData("[0, 4611686018427387904, 4611686018427387904]")]
    public void Open_shape_whose_size_overflows_is_refused(string shape)
    {
        var path = WriteRaw($"{{\"t\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[0,8]}}}}", new byte[8]);
        Assert.Contains("is too large (its byte size overflows 64 bits)", Refused(path).Message);
    }

    [Fact]
    public void Open_overlapping_tensors_are_refused()
    {
        var path = WriteRaw(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12]);
        Assert.Contains("tensors 'a' [0, 8] and 'b' [4, 12] overlap in the data buffer", Refused(path).Message);
    }

    [Fact]
    public void Open_hole_between_tensors_is_refused()
    {
        var path = WriteRaw(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
            new byte[12]);
        Assert.Contains("data buffer has a hole at bytes [4, 8) that no tensor covers", Refused(path).Message);
    }

    [Fact]
    public void Open_bytes_after_the_last_tensor_are_refused()
    {
        var path = WriteRaw("{" + F32Entry + "}", new byte[12]);
        Assert.Contains("data buffer has a hole at bytes [8, 12) after the last tensor", Refused(path).Message);
    }

    [Fact]
    public void Open_data_without_tensors_is_refused()
    {
        var path = WriteRaw("{}", new byte[3]);
        Assert.Contains("data buffer has a hole at bytes [0, 3) after the last tensor", Refused(path).Message);
    }

    [Fact]
    public void Open_truncated_data_is_refused()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("cut.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensors.Zeros([10]) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        Assert.Contains("tensor 'w': data_offsets [0, 40] run past the end of the 37-byte data buffer (truncated file?)", Refused(path).Message);
    }

    [Theory]
    [InlineData("{\"__metadata__\":{\"k\":1}}", "metadata value for 'k' is a JSON number, not a string")]
    [InlineData("{\"__metadata__\":{\"k\":null}}", "metadata value for 'k' is a JSON null, not a string")]
    [InlineData("{\"__metadata__\":{\"k\":{\"nested\":\"x\"}}}", "metadata value for 'k' is a JSON object, not a string")]
    [InlineData("{\"__metadata__\":[\"k\"]}", "\"__metadata__\" is a JSON array, not an object of strings")]
    [InlineData("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", "metadata key 'k' appears twice")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}}", "header has \"__metadata__\" twice")]
    public void Open_BadMetadata_IsRefused(string json, string message)
    {
        Assert.Contains(message, Refused(WriteRaw(json)).Message);
    }

    [Fact]
    public void Open_empty_tensor_name_is_refused()
    {
        var path = WriteRaw("{\"\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        Assert.Contains("header has a tensor with an empty name", Refused(path).Message);
    }

    [Fact]
    public void Open_duplicate_tensor_name_is_refused()
    {
        var path = WriteRaw("{" + F32Entry + "," + F32Entry + "}", new byte[8]);
        Assert.Contains("header names tensor 't' twice", Refused(path).Message);
    }

    [Fact]
    public void Open_corrupted_files_only_ever_throw_format_exceptions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var valid = PathOf("valid.safetensors");
        SafeTensors.Save(valid, new Dictionary<string, Tensor>
        {
            ["conv.weight"] = RandomTensor(ScalarType.Float32, [2, 3, 2], seed: 5),
            ["conv.bias"] = RandomTensor(ScalarType.BFloat16, [2], seed: 6),
            ["steps"] = Tensor.Scalar(12L),
            ["mask"] = RandomTensor(ScalarType.Bool, [5], seed: 7),
            ["none"] = Tensors.Zeros([0, 3], ScalarType.Int16),
        }, new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "3" });
        var bytes = File.ReadAllBytes(valid);
        var headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var corrupt = PathOf("corrupt.safetensors");
        var refused = 0;

        void Check(byte[] content, string what)
        {
            File.WriteAllBytes(corrupt, content);
            try
            {
                using var file = SafeTensorsFile.Open(corrupt);
                using var inner = TorchRuntime.NewDisposeScope();
                file.LoadAll();
            }
            catch (SafeTensorsFormatException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
            }
        }

        for (var length = 0; length < bytes.Length; length++) Check(bytes[..length], $"truncated to {length} bytes");
        var random = new Random(20240611);
        for (var i = 0; i < 400; i++)
        {
            var copy = (byte[])bytes.Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++) copy[random.Next(headerEnd)] = (byte)random.Next(256);
            Check(copy, $"flip case {i}");
        }
        // Every truncation is refused; most flips are too (some only change a value or a space).
        Assert.True(refused >= bytes.Length + 200, $"only {refused} corrupt files were refused");
    }

    // ---- saving ----

    [Fact]
    public void Save_over_existing_file_replaces_it_and_leaves_no_temp_file()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("model.safetensors");
        File.WriteAllText(path, "old contents");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray([5f, 6f]) });

        Assert.Equal([path], Directory.GetFiles(directory));
        Assert.Equal([5f, 6f], SafeTensors.Load(path)["x"].ToArray<float>());
    }

    [Fact]
    public void Save_refused_input_leaves_existing_file_and_no_temp_file()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("model.safetensors");
        File.WriteAllText(path, "old contents");
        var complex = Tensors.Zeros([2], ScalarType.ComplexFloat32);

        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["z"] = complex }));
        Assert.Contains("tensor 'z' is ComplexFloat32, which safetensors cannot store", e.Message);
        Assert.Equal([path], Directory.GetFiles(directory));
        Assert.Equal("old contents", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("", "tensor names must not be empty")]
    [InlineData("__metadata__", "'__metadata__' is reserved for the metadata")]
    public void Save_invalid_tensor_name_is_refused(string name, string message)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() =>
            SafeTensors.Save(PathOf("bad.safetensors"), new Dictionary<string, Tensor> { [name] = Tensor.FromArray([1f]) }));
        Assert.Contains(message, e.Message);
    }

    // ---- lifetime ----

    [Fact]
    public void Load_all_registers_only_the_result_tensors_in_the_scope()
    {
        var path = PathOf("scope.safetensors");
        using (var setup = TorchRuntime.NewDisposeScope())
            SafeTensors.Save(path, new Dictionary<string, Tensor>
            {
                ["a"] = RandomTensor(ScalarType.Float32, [9, 4], seed: 8),
                ["b"] = RandomTensor(ScalarType.Int8, [3], seed: 9),
            }, null, chunkBytes: 8);

        Dictionary<string, Tensor> loaded;
        using (var scope = TorchRuntime.NewDisposeScope())
        {
            using var file = SafeTensorsFile.Open(path);
            loaded = file.LoadAll(null, chunkBytes: 8);
            Assert.Equal(loaded.Count, scope.Count);
            Assert.All(loaded.Values, t => Assert.False(t.IsDisposed));
        }
        Assert.All(loaded.Values, t => Assert.True(t.IsDisposed));
    }

    [Fact]
    public void Save_in_chunks_leaves_no_tensors_in_the_scope()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var tensor = RandomTensor(ScalarType.Float64, [6, 5], seed: 10).Transpose(0, 1);
        var before = scope.Count;
        SafeTensors.Save(PathOf("chunks.safetensors"), new Dictionary<string, Tensor> { ["t"] = tensor }, null, chunkBytes: 16);
        Assert.Equal(before, scope.Count);
    }

    [Fact]
    public void File_after_dispose_refuses_to_load()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("disposed.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray([1f]) });
        var file = SafeTensorsFile.Open(path);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Load("x"));
    }

    [Fact]
    public void File_unknown_name_throws_key_not_found()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var path = PathOf("names.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray([1f]) });
        using var file = SafeTensorsFile.Open(path);
        var e = Assert.Throws<KeyNotFoundException>(() => file.Load("y"));
        Assert.Contains("no tensor named 'y'", e.Message);
    }
}
