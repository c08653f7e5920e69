using System.CommandLine;
using StemGen.Cli;

var root = new RootCommand("StemGen: generate music stems that listen to a context.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(AudioCommands.Create());
root.Subcommands.Add(CodecCommands.Create());
foreach (var command in DataCommands.Create()) root.Subcommands.Add(command);
root.Subcommands.Add(TokenCommands.Create());
root.Subcommands.Add(TrainCommand.Create());
return await root.Parse(args).InvokeAsync();
