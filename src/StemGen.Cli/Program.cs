using System.CommandLine;
using StemGen.Cli;

var root = new RootCommand("StemGen: generate music stems that listen to a context.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(AudioCommands.Create());
root.Subcommands.Add(CodecCommands.Create());
root.Subcommands.Add(GenerateCommand.Create());
foreach (var command in DataCommands.Create()) root.Subcommands.Add(command);
root.Subcommands.Add(EvaluateCommand.Create());
return await root.Parse(args).InvokeAsync();
