using MeshNet.ControlPlane.Hosting;

if (args is ["--help"] or ["-h"])
{
    await Console.Out.WriteLineAsync(ControlPlaneOptions.Usage).ConfigureAwait(false);
    return 0;
}

ControlPlaneOptions options;
try
{
    options = ControlPlaneOptions.Parse(args);
}
catch (FormatException ex)
{
    await Console.Error.WriteLineAsync($"meshnet-control: {ex.Message}").ConfigureAwait(false);
    await Console.Error.WriteLineAsync(ControlPlaneOptions.Usage).ConfigureAwait(false);
    return 2;
}

await using var app = ControlPlaneApp.Create(options);
try
{
    await app.StartAsync(CancellationToken.None).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    // Stopped (SIGTERM) before the initial load finished, e.g. while the Kubernetes API was unreachable.
    return 0;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Net.Sockets.SocketException or k8s.Exceptions.KubeConfigException)
{
    // A missing manifest directory, a port in use, an unreadable state file or kubeconfig: one line rather than a stack trace.
    await Console.Error.WriteLineAsync($"meshnet-control: {ex.Message}").ConfigureAwait(false);
    return 1;
}

Console.Out.WriteLine(app.ReadyLine());
await Console.Out.FlushAsync().ConfigureAwait(false);
await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
return 0;
