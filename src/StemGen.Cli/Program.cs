using StemGen.Cli;

return await StemGenCli.Root().Parse(args).InvokeAsync();
