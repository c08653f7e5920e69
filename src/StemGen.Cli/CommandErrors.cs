using StemGen.Audio;
using StemGen.Data.Rendering;
using StemGen.Data.Slakh;
using StemGen.Model.Codec;
using StemGen.Model.Generation;
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
        catch (Exception e) when (IsUserError(e))
        {
            return Report(e);
        }
        catch (OperationCanceledException)
        {
            return Cancelled();
        }
    }

    /// <summary>As <see cref="Run"/>, for a command whose body is asynchronous (downloads).</summary>
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (IsUserError(e))
        {
            return Report(e);
        }
        catch (OperationCanceledException)
        {
            return Cancelled();
        }
    }

    /// <summary>--device as every command takes it (<see cref="StemGen.Torch.Device.FromOption"/>): a bad name is a usage error.</summary>
    public static Device ParseDevice(string? text)
    {
        try
        {
            return StemGen.Torch.Device.FromOption(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--device: {e.Message}");
        }
    }

    private static bool IsUserError(Exception e) =>
        e is UsageException or AudioFormatException or CodecWeightsException or SafeTensorsFormatException
            or SlakhFormatException or ExternalToolException or TorchException or DllNotFoundException
            or IOException or UnauthorizedAccessException or InvalidOperationException
            or GenerationRequestException or InvalidDataException or ModelDownloadException;

    private static int Report(Exception e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }

    private static int Cancelled()
    {
        // Long commands write finished work atomically: running the same command again continues.
        Console.Error.WriteLine("\ncancelled: run the same command again to continue");
        return 130;
    }
}
