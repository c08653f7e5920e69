using System.CommandLine;
using StemGen.Torch;

namespace StemGen.Cli;

/// <summary>`stemgen info`: what libtorch this build runs on, with a small op as a smoke test.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Print the libtorch version, devices and threads, and run a smoke test.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"libtorch          {TorchRuntime.Version}");
            Console.WriteLine($"intra-op threads  {TorchRuntime.Threads} (of {Environment.ProcessorCount} cores)");
            Console.WriteLine($"interop threads   {TorchRuntime.InteropThreads}");
            Console.WriteLine($"fused attention   {(TorchRuntime.HasFusedAttention ? "yes" : "no (explicit softmax attention)")}");
            var cuda = TorchRuntime.Cuda.DeviceCount;
            Console.WriteLine($"devices           cpu{string.Concat(Enumerable.Range(0, cuda).Select(i => $", cuda:{i}"))}");
            foreach (var device in new[] { Device.CPU }.Concat(Enumerable.Range(0, cuda).Select(Device.CUDA)))
            {
                using var scope = TorchRuntime.NewDisposeScope();
                var a = Tensors.Arange(1, 5, dtype: ScalarType.Float32, device: device).Reshape(2, 2);
                var check = a.Matmul(a).Sum().ToDouble(); // [[1,2],[3,4]]^2 sums to 7+10+15+22 = 54
                Console.WriteLine($"smoke test {device,-6} {(check == 54 ? "ok" : $"FAILED (got {check}, want 54)")}");
                if (check != 54) return 1;
            }
            return 0;
        });
        return command;
    }
}
