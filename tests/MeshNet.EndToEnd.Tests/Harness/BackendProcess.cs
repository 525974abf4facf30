using System.Net;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>A running meshnet-testbackend: HTTP/1.1 on one port, h2c and gRPC on another.</summary>
internal sealed class BackendProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private BackendControlClient? _control;

    private BackendProcess(string name, ChildProcess process, ReadyLine ready)
    {
        Name = name;
        _process = process;
        Http = ready["listen"];
        H2c = ready["h2c"];
    }

    /// <summary>The name it answers with (header <c>x-backend</c>, gRPC <c>backend</c>).</summary>
    public string Name { get; }

    public IPEndPoint Http { get; }

    public IPEndPoint H2c { get; }

    /// <summary>Its fault modes and counters (<c>/__faults</c>, <c>/__stats</c>).</summary>
    public BackendControlClient Control => _control ??= new BackendControlClient(Http);

    /// <param name="extraArgs">Further flags, e.g. fault modes to start with.</param>
    public static async Task<BackendProcess> StartAsync(string name, IPAddress address, TestLog log, IEnumerable<string>? extraArgs = null)
    {
        string[] args =
        [
            "--name", name,
            "--listen", new IPEndPoint(address, PodPorts.AppHttp).ToString(),
            "--h2c-listen", new IPEndPoint(address, PodPorts.AppH2c).ToString(),
            .. extraArgs ?? [],
        ];
        var process = ChildProcess.Start(name + "/app", "meshnet-testbackend", MeshBinaries.TestBackend, args, log);
        try
        {
            return new BackendProcess(name, process, await process.WaitForReadyAsync(PodPorts.StartTimeout));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public Task StopAsync() => _process.StopAsync();

    public ValueTask DisposeAsync()
    {
        _control?.Dispose();
        return _process.DisposeAsync();
    }
}
