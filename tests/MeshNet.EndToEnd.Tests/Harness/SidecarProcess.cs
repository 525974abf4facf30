using System.Globalization;
using System.Net;

namespace MeshNet.EndToEnd.Tests.Harness;

/// <summary>How to start one meshnet-proxy: who it is, where it listens and what its application declares.</summary>
internal sealed record SidecarOptions(
    string Name,
    string Namespace,
    IPAddress PodAddress,
    Uri ControlPlane,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, int> AppPorts,
    int? AppPort = null,
    string? ReadinessPath = null,
    string? ProbeInterval = null,
    string? JoinToken = null,
    string ServiceAccount = "default");

/// <summary>A running meshnet-proxy at a pod address, with the listeners it bound.</summary>
internal sealed class SidecarProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private SidecarProcess(ChildProcess process, ReadyLine ready)
    {
        _process = process;
        Inbound = ready["inbound"];
        Outbound = ready["outbound"];
        Admin = ready["admin"];
        AdminClient = new SidecarAdminClient(Admin);
    }

    public IPEndPoint Inbound { get; }

    public IPEndPoint Outbound { get; }

    public IPEndPoint Admin { get; }

    public SidecarAdminClient AdminClient { get; }

    public static async Task<SidecarProcess> StartAsync(SidecarOptions options, TestLog log)
    {
        var args = new List<string>
        {
            "--control-plane", options.ControlPlane.ToString().TrimEnd('/'),
            "--name", options.Name,
            "--namespace", options.Namespace,
            "--service-account", "default",
            "--app-address", options.PodAddress.ToString(),
            "--inbound", Bind(options.PodAddress, PodPorts.SidecarInbound),
            "--outbound", Bind(options.PodAddress, PodPorts.SidecarOutbound),
            "--admin", Bind(options.PodAddress, PodPorts.SidecarAdmin),
        };
        if (options.Labels.Count > 0)
        {
            args.AddRange(["--labels", string.Join(',', options.Labels.Select(l => $"{l.Key}={l.Value}"))]);
        }

        if (options.AppPort is { } appPort)
        {
            args.AddRange(["--app-port", appPort.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var (name, port) in options.AppPorts)
        {
            args.AddRange(["--port", string.Create(CultureInfo.InvariantCulture, $"{name}={port}")]);
        }

        if (options.ReadinessPath is not null)
        {
            args.AddRange(["--readiness-path", options.ReadinessPath]);
        }

        if (options.ProbeInterval is not null)
        {
            args.AddRange(["--probe-interval", options.ProbeInterval]);
        }

        args.AddRange(["--service-account", options.ServiceAccount]);
        if (options.JoinToken is not null)
        {
            args.AddRange(["--join-token", options.JoinToken]);
        }

        var process = ChildProcess.Start(options.Name + "/sidecar", "meshnet-proxy", MeshBinaries.Proxy, args, log);
        try
        {
            return new SidecarProcess(process, await process.WaitForReadyAsync(PodPorts.StartTimeout));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public Task StopAsync() => _process.StopAsync();

    public async ValueTask DisposeAsync()
    {
        AdminClient.Dispose();
        await _process.DisposeAsync();
    }

    private static string Bind(IPAddress address, int port) => new IPEndPoint(address, port).ToString();
}
