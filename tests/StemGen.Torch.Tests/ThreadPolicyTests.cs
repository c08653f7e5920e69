namespace StemGen.Torch.Tests;

[Collection(nameof(ThreadCountCollection))]
public class ThreadPolicyTests
{
    [Theory]
    [InlineData("3", 3)]
    [InlineData(" 1 ", 1)]
    [InlineData(null, null)]
    [InlineData("idle", null)]
    [InlineData("0", null)]
    [InlineData("-2", null)]
    [InlineData("two", null)]
    public void The_variable_names_a_fixed_count_or_the_idle_cores(string? value, int? expected) =>
        Assert.Equal(expected, TorchThreads.Parse(value));

    [Fact]
    public void All_is_every_core() => Assert.Equal(Environment.ProcessorCount, TorchThreads.Parse("ALL"));

    [Theory]
    [InlineData(1.0, 2, 2)]   // quiet
    [InlineData(0.85, 2, 2)]  // a core 70 % idle still counts
    [InlineData(0.5, 2, 1)]   // one busy neighbour
    [InlineData(0.3, 2, 1)]
    [InlineData(0.0, 2, 1)]   // at least one
    [InlineData(0.0, 16, 1)]
    [InlineData(0.5, 16, 8)]
    [InlineData(1.0, 16, 16)]
    public void Idle_cores_count_a_core_once_most_of_it_is_idle(double idleFraction, int cores, int expected) =>
        Assert.Equal(expected, TorchThreads.IdleCores(idleFraction, cores));

    [Fact]
    public void Idle_cores_are_measured_between_one_and_all_cores()
    {
        var idle = TorchThreads.IdleCores(TimeSpan.FromMilliseconds(50));
        Assert.InRange(idle, 1, Environment.ProcessorCount);
    }

    [Fact]
    public void A_scope_sets_this_threads_count_and_restores_it()
    {
        var before = TorchRuntime.Threads;
        var inside = before == 1 ? 2 : 1;
        using (var scope = TorchThreads.Use(inside))
        {
            Assert.Equal(inside, scope.Threads);
            Assert.Equal(inside, TorchRuntime.Threads);
        }
        Assert.Equal(before, TorchRuntime.Threads);
        using (var policy = TorchThreads.Use())
            Assert.InRange(policy.Threads, 1, Math.Max(Environment.ProcessorCount, TorchThreads.Fixed ?? 1));
        Assert.Equal(before, TorchRuntime.Threads);
    }
}
