using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>The inbound side of one sidecar, from what its application declared.</summary>
internal static class InboundCompiler
{
    public static Inbound Compile(ProxyIdentity proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        var inbound = new Inbound { DefaultPort = (uint)DefaultPort(proxy) };
        foreach (var port in proxy.Ports.OrderBy(p => p.Port).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            inbound.Ports.Add(new WorkloadPort { Name = port.Name, Port = (uint)port.Port, Protocol = port.Protocol });
        }

        return inbound;
    }

    /// <summary>
    /// The Node has no field for the application's default port. meshnet-proxy declares its named --port
    /// values and adds --app-port as an unnamed port, so the first unnamed port is the best guess, then the
    /// first declared one.
    /// </summary>
    private static int DefaultPort(ProxyIdentity proxy)
    {
        if (proxy.Ports.IsDefaultOrEmpty)
        {
            return 0;
        }

        var unnamed = proxy.Ports.FirstOrDefault(p => p.Name.Length == 0);
        return (unnamed ?? proxy.Ports[0]).Port;
    }
}
