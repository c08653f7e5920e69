namespace StemGen.Torch.Tests;

[Collection(nameof(ThreadCountCollection))]
public class RuntimeTests
{
    [Fact]
    public void A_thread_count_set_by_the_caller_survives_later_native_calls()
    {
        var before = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Threads = 1;
            // The first call of an entry point binds it through the library resolver, which
            // once reset the thread count each time.
            using var t = Tensors.Eye(3).Matmul(Tensors.Eye(3)).Flip(0);
            Assert.Equal(1, TorchRuntime.Threads);
        }
        finally
        {
            TorchRuntime.Threads = before;
        }
    }

    [Fact]
    public void Version_names_a_libtorch_release()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", TorchRuntime.Version);
    }

    [Fact]
    public void Bad_thread_counts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.Threads = 0);
    }

    [Theory]
    [InlineData("cpu", DeviceType.CPU, -1)]
    [InlineData("CUDA", DeviceType.CUDA, 0)]
    [InlineData("cuda:3", DeviceType.CUDA, 3)]
    public void Devices_parse_from_text(string text, DeviceType type, int index)
    {
        Assert.Equal(new Device(type, index), Device.Parse(text));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void Unknown_devices_are_refused(string text)
    {
        Assert.Throws<FormatException>(() => Device.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("best")]
    [InlineData(" Auto ")]
    public void A_device_option_of_best_or_auto_or_nothing_is_the_best_device(string? text)
    {
        Assert.Equal(Device.Best, Device.FromOption(text));
    }

    [Fact]
    public void A_device_option_otherwise_parses_as_a_device_and_refuses_what_is_not_one()
    {
        Assert.Equal(Device.CUDA(2), Device.FromOption("cuda:2"));
        Assert.Equal(Device.CPU, Device.FromOption("cpu"));
        Assert.Contains("use cpu, cuda or cuda:N", Assert.Throws<FormatException>(() => Device.FromOption("tpu")).Message);
    }
}

[CollectionDefinition(nameof(ThreadCountCollection), DisableParallelization = true)]
public class ThreadCountCollection;
