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

    /// <summary>The port the sidecar declared as its app's default, else its first declared port.</summary>
    private static int DefaultPort(ProxyIdentity proxy)
    {
        if (proxy.AppPort != 0)
        {
            return proxy.AppPort;
        }

        return proxy.Ports.IsDefaultOrEmpty ? 0 : proxy.Ports[0].Port;
    }
}
