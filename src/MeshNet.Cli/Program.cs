using MeshNet.Cli.Commands;
using MeshNet.Cli.Local;

using var shutdown = new ShutdownSignal();

// meshctl handles Ctrl-C and SIGTERM itself (ShutdownSignal) so it can stop its children before exiting.
var parse = CommandLine.Build(shutdown).Parse(args);
var code = await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);

// System.CommandLine prints a usage error with help and exits 1, which `analyze` uses for "errors found".
return parse.Errors.Count > 0 ? ExitCodes.CouldNotRun : code;
