using StemGen.Torch;
using StemGen.Torch.Modules;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

/// <summary>
/// The same work on STEMGEN_TEST_DEVICE (cpu unless set; scripts/gpu-check.sh sets cuda on a GPU) and on the CPU
/// agrees: the rest of this suite runs on the CPU only, so these are what proves the binding on CUDA.
/// </summary>
public class DeviceTests
{
    private static readonly Device TestDevice = StemGen.Torch.Device.Parse(Environment.GetEnvironmentVariable("STEMGEN_TEST_DEVICE") is { Length: > 0 } d ? d : "cpu");

    private static Tensor Random(long[] shape, ulong seed)
    {
        using var generator = new Generator(seed);
        return Tensors.Randn(shape, generator);
    }

    private static double[] Host(Tensor t)
    {
        using var cpu = t.To(StemGen.Torch.Device.CPU, ScalarType.Float64);
        return cpu.ToArray<double>();
    }

    [Fact]
    public void The_test_device_holds_tensors_and_cuda_is_present_when_asked_for()
    {
        if (TestDevice.Type == DeviceType.CUDA)
        {
            Assert.True(TorchRuntime.Cuda.IsAvailable, "STEMGEN_TEST_DEVICE asks for CUDA but libtorch sees no CUDA device");
            Assert.True(TorchRuntime.Cuda.DeviceCount > TestDevice.Index);
        }
        using var x = Tensors.Ones([2, 3]);
        using var moved = x.To(TestDevice);
        Assert.Equal(TestDevice.Type, moved.Device.Type);
        Close([1, 1, 1, 1, 1, 1], Host(moved));
    }

    [Fact]
    public void Matmul_on_the_test_device_matches_the_cpu()
    {
        using var a = Random([64, 96], 1);
        using var b = Random([96, 48], 2);
        using var expected = a.Matmul(b);
        using var da = a.To(TestDevice);
        using var db = b.To(TestDevice);
        using var actual = da.Matmul(db);
        Assert.Equal(TestDevice.Type, actual.Device.Type);
        Close(Host(expected), Host(actual), 1e-3);
    }

    [Fact]
    public void Causal_attention_on_the_test_device_matches_the_cpu()
    {
        using var q = Random([2, 4, 16, 8], 3);
        using var k = Random([2, 4, 16, 8], 4);
        using var v = Random([2, 4, 16, 8], 5);
        using var expected = Functional.ScaledDotProductAttention(q, k, v, isCausal: true);
        using var dq = q.To(TestDevice);
        using var dk = k.To(TestDevice);
        using var dv = v.To(TestDevice);
        using var actual = Functional.ScaledDotProductAttention(dq, dk, dv, isCausal: true);
        Close(Host(expected), Host(actual), 1e-3);
    }

    [Fact]
    public void Linear_layer_gradients_on_the_test_device_match_the_cpu()
    {
        using var cpu = new Linear(12, 5);
        using var device = new Linear(12, 5);
        device.Weight.SetData(cpu.Weight);
        device.Bias!.SetData(cpu.Bias!);
        device.To(TestDevice);
        using var x = Random([7, 12], 6);
        using var dx = x.To(TestDevice);
        using (var loss = cpu.Forward(x).Square().Mean()) loss.Backward();
        using (var loss = device.Forward(dx).Square().Mean()) loss.Backward();
        using var gw = cpu.Weight.Grad!;
        using var dgw = device.Weight.Grad!;
        Assert.Equal(TestDevice.Type, dgw.Device.Type);
        Close(Host(gw), Host(dgw), 1e-3);
    }

    [Fact]
    public void Bfloat16_autocast_on_cuda_runs_a_matmul_in_bfloat16_close_to_float32()
    {
        using var a = Random([32, 64], 7);
        using var b = Random([64, 16], 8);
        using var expected = a.Matmul(b);
        using var da = a.To(TestDevice);
        using var db = b.To(TestDevice);
        using var autocast = TorchRuntime.Autocast(DeviceType.CUDA, ScalarType.BFloat16, enabled: TestDevice.Type == DeviceType.CUDA);
        using var actual = da.Matmul(db);
        Assert.Equal(TestDevice.Type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32, actual.DType);
        // bfloat16 keeps 8 bits of mantissa: a relative error of a few 1e-3 per product, summed over 64 terms.
        Close(Host(expected), Host(actual), TestDevice.Type == DeviceType.CUDA ? 5e-2 : 1e-5);
    }
}
