using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>The inbound side of one sidecar, from what its application declared.</summary>
internal static class InboundCompiler
{
    public static Inbound Compile(ProxyIdentity proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        var inbound = new Inbound
        {
            // The Node carries no explicit application port, so the first declared port is the default,
            // matching a sidecar that lists its --app-port first.
            DefaultPort = proxy.Ports.IsDefaultOrEmpty ? 0u : (uint)proxy.Ports[0].Port,
        };
        foreach (var port in proxy.Ports.OrderBy(p => p.Port).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            inbound.Ports.Add(new WorkloadPort { Name = port.Name, Port = (uint)port.Port, Protocol = port.Protocol });
        }

        return inbound;
    }
}
