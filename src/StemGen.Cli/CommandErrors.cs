using StemGen.Audio;
using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Cli;

/// <summary>A mistake in how a command was called.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Runs a command body: errors a user can act on go to stderr as one line, exit code 1.</summary>
internal static class CommandErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is AudioFormatException or UsageException or DllNotFoundException or CodecWeightsException
                                       or SafeTensorsFormatException or FileNotFoundException or TorchException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
