using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class DataCopyTests
{
    private static void RoundTrips<T>(T[] data, ScalarType dtype) where T : unmanaged
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensor.FromArray(data, 2, data.Length / 2);
        Assert.Equal(dtype, t.DType);
        Assert.Equal(dtype.ElementSize(), Unsafe.SizeOf<T>());
        Assert.Equal(data, t.ToArray<T>());

        var bytes = new byte[data.Length * dtype.ElementSize()];
        t.CopyBytesTo(bytes);
        Assert.Equal(MemoryMarshal.AsBytes(data.AsSpan()).ToArray(), bytes);

        var span = new T[data.Length];
        t.CopyTo<T>(span);
        Assert.Equal(data, span);
    }

    [Fact]
    public void Float32_round_trips_through_to_array_and_bytes() => RoundTrips(new[] { 1.5f, -2.25f, 0f, float.MaxValue, float.Epsilon, -0f }, ScalarType.Float32);

    [Fact]
    public void Float64_round_trips_through_to_array_and_bytes() => RoundTrips(new[] { Math.PI, -1e300, 0, 1e-310 }, ScalarType.Float64);

    [Fact]
    public void Float16_round_trips_through_to_array_and_bytes() => RoundTrips(new[] { (Half)1.5, (Half)(-0.125), Half.MaxValue, (Half)0 }, ScalarType.Float16);

    [Fact]
    public void Int64_round_trips_through_to_array_and_bytes() => RoundTrips(new[] { long.MinValue, -1L, 0L, long.MaxValue }, ScalarType.Int64);

    [Fact]
    public void Int32_round_trips_through_to_array_and_bytes() => RoundTrips(new[] { int.MinValue, -7, 0, int.MaxValue }, ScalarType.Int32);

    [Fact]
    public void Bool_round_trips_through_to_array_and_bytes() => RoundTrips(new[] { true, false, false, true }, ScalarType.Bool);

    [Fact]
    public void UInt8_round_trips_through_to_array_and_bytes() => RoundTrips(new byte[] { 0, 1, 128, 255 }, ScalarType.UInt8);

    [Fact]
    public void B_float16_from_bytes_holds_the_upper_half_of_float32()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        // values exactly representable in bfloat16 (8 significant bits)
        float[] values = [1f, -2.5f, 0.15625f, (float)Math.Pow(2, 100), 0f, -0.0078125f];
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(values[i]);
            Assert.Equal(0u, bits & 0xFFFFu); // exact in bfloat16
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)(bits >> 16));
        }
        var t = Tensor.FromBytes(bytes, ScalarType.BFloat16, [values.Length]);
        Assert.Equal(ScalarType.BFloat16, t.DType);

        var back = new byte[bytes.Length];
        t.CopyBytesTo(back);
        Assert.Equal(bytes, back);

        Assert.Equal(values, t.To(ScalarType.Float32).ToArray<float>());
    }

    [Fact]
    public void To_B_float16_rounds_to_nearest_even()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even gives 1; 1 + 3 * 2^-8 rounds up to 1 + 2^-6.
        var t = F([1f + 1f / 256, 1f + 3f / 256, 1f + 1f / 128]).To(ScalarType.BFloat16);
        var bytes = new byte[6];
        t.CopyBytesTo(bytes);
        ushort Bf(float f) => (ushort)(BitConverter.SingleToUInt32Bits(f) >> 16);
        Assert.Equal(Bf(1f), BinaryPrimitives.ReadUInt16LittleEndian(bytes));
        Assert.Equal(Bf(1f + 1f / 64), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2)));
        Assert.Equal(Bf(1f + 1f / 128), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
    }

    [Fact]
    public void To_float16_matches_dot_net_half_conversion()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        float[] values = [0.1f, 1f / 3, 65504f, 1e-5f, -123.456f];
        var halves = F(values).To(ScalarType.Float16).ToArray<Half>();
        Assert.Equal(values.Select(v => (Half)v), halves);
    }

    [Fact]
    public void To_int64_from_float_truncates_toward_zero()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new long[] { 2, -2, 0, 7 }, F([2.9f, -2.9f, 0.5f, 7f]).To(ScalarType.Int64).ToArray<long>());
    }

    [Fact]
    public void To_bool_is_true_for_non_zero()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new[] { false, true, true }, F([0f, -0.5f, 3f]).To(ScalarType.Bool).ToArray<bool>());
    }

    [Fact]
    public void To_int32_from_int64_keeps_values()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new[] { -5, 0, 1 << 30 }, L([-5, 0, 1 << 30]).To(ScalarType.Int32).ToArray<int>());
    }

    [Fact]
    public void To_float64_from_bool_gives_zero_and_one()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new[] { 1.0, 0.0 }, B([true, false]).To(ScalarType.Float64).ToArray<double>());
    }

    [Fact]
    public void To_array_of_non_contiguous_view_returns_logical_order()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2, 3, 4, 5, 6], 2, 3).Transpose(0, 1);
        Assert.False(t.IsContiguous);
        Assert.Equal(new[] { 1f, 4, 2, 5, 3, 6 }, t.ToArray<float>());
    }

    [Fact]
    public void Copy_bytes_to_with_wrong_length_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2]);
        var e = Assert.Throws<TorchException>(() => t.CopyBytesTo(new byte[7]));
        Assert.Contains("8", e.Message);
    }

    [Fact]
    public void Clone_does_not_share_storage()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = F([1f, 2]);
        var b = a.Clone();
        a.FillInPlace(9);
        Assert.Equal(new[] { 1f, 2 }, b.ToArray<float>());
    }

    [Fact]
    public void Copy_from_writes_source_values_into_the_tensor()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Tensors.Zeros([3], ScalarType.Float64);
        a.CopyFrom(F([1f, 2, 3]));
        Assert.Equal(new[] { 1.0, 2, 3 }, a.ToArray<double>());
    }

    [Fact]
    public void Alias_shares_storage_with_the_original()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = F([1f, 2]);
        var b = a.Alias();
        a.FillInPlace(4);
        Assert.Equal(new[] { 4f, 4 }, b.ToArray<float>());
    }

    [Fact]
    public void Set_data_replaces_values_and_shape_keeping_the_tensor()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = F([1f, 2]);
        a.SetData(F([5f, 6, 7]));
        Assert.Equal(new[] { 5f, 6, 7 }, a.ToArray<float>());
    }

    [Fact]
    public void Metadata_reports_cpu_device_contiguity_and_size()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([2, 3, 4]);
        Assert.Equal(Device.CPU.Type, t.Device.Type);
        Assert.True(t.IsContiguous);
        Assert.Equal(3, t.Dim);
        Assert.Equal(24, t.NumEl);
        Assert.Equal(4, t.Size(-1));
        Assert.Equal(2, t.Size(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Size(3));
    }

    [Fact]
    public void Format_prints_the_values()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var text = F([1.5f, -2f]).Format();
        Assert.Contains("1.5", text);
        Assert.Contains("-2", text);
    }
}
