using MeshNet.Cli.Commands;
using MeshNet.Cli.Local;

using var shutdown = new ShutdownSignal();

// meshctl handles Ctrl-C and SIGTERM itself (ShutdownSignal) so it can stop its children before exiting.
return await CommandLine.Build(shutdown).Parse(args)
    .InvokeAsync(new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = null })
    .ConfigureAwait(false);
