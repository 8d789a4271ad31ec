using PhonicAspire.Cli;

return await PhonicCommandLine.RunAsync(args, Console.Out, Console.Error);
