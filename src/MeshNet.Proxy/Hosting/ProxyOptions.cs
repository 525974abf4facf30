using System.Collections.Immutable;
using System.Net;

namespace MeshNet.Proxy.Hosting;

/// <summary>Everything the command line decides; immutable once parsed.</summary>
internal sealed record ProxyOptions
{
    public Uri ControlPlane { get; init; } = new("http://127.0.0.1:15010");

    /// <summary>Workload name; defaults to the machine name, as a pod's hostname would be.</summary>
    public string Name { get; init; } = Environment.MachineName;

    public string Namespace { get; init; } = "default";

    public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;

    public string ServiceAccount { get; init; } = "default";

    public IPAddress AppAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The app's default port; 0 when not given (the control plane's default port is used then).</summary>
    public int AppPort { get; init; }

    /// <summary>Named container ports, as "--port http=8080".</summary>
    public ImmutableArray<NamedPort> Ports { get; init; } = [];

    public IPEndPoint Inbound { get; init; } = new(IPAddress.Loopback, 15006);

    public IPEndPoint Outbound { get; init; } = new(IPAddress.Loopback, 15001);

    public IPEndPoint Admin { get; init; } = new(IPAddress.Loopback, 15000);

    /// <summary>HTTP GET path probed on the app; null means a TCP connect probe.</summary>
    public string? ReadinessPath { get; init; }

    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);
}

internal sealed record NamedPort(string Name, int Port);
