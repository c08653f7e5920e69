using System.CommandLine;

namespace StemGen.Cli;

/// <summary>The `stemgen` command tree (Program.cs runs it; the CLI tests call it in-process).</summary>
internal static class StemGenCli
{
    public static RootCommand Root()
    {
        var root = new RootCommand("StemGen: generate music stems that listen to a context.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(AudioCommands.Create());
        root.Subcommands.Add(CodecCommands.Create());
        foreach (var command in DataCommands.Create()) root.Subcommands.Add(command);
        root.Subcommands.Add(TokenCommands.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ModelCommands.Create());
        return root;
    }
}
