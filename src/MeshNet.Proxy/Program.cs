using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Init;

if (args.Length > 0 && args[0] == "init")
{
    return await InitCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

var options = ProxyCommandLine.Parse(args, out var error, out var help);
if (help)
{
    Console.WriteLine(ProxyCommandLine.Usage);
    return 0;
}

if (options is null)
{
    await Console.Error.WriteLineAsync($"meshnet-proxy: {error}\nRun 'meshnet-proxy --help' for usage.");
    return 2;
}

await using var proxy = ProxyApplication.Create(options);
try
{
    await proxy.StartAsync();
}
catch (IOException ex)
{
    await Console.Error.WriteLineAsync($"meshnet-proxy: cannot listen: {ex.Message}");
    return 1;
}

Console.WriteLine(proxy.ReadyLine());
await proxy.WaitForShutdownAsync();
return 0;
