using System.CommandLine;
using System.Runtime.InteropServices;
using StemGen.Cli;

// Ctrl+C, SIGINT and SIGTERM cancel the command's token: long commands (training, generation,
// encoding) finish their current step, save what they must and return. The runtime must not exit
// under them, or libtorch is torn down mid-step; a second signal ends the process at once.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    if (stop.IsCancellationRequested) return;
    context.Cancel = true;
    Console.Error.WriteLine($"{context.Signal}: stopping after the current step (send it again to stop at once)");
    stop.Cancel();
}
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return await StemGenCli.Root().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
