using MeshNet.ControlPlane.Indexing;
using LabelSelector = MeshNet.Model.LabelSelector;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Compilation;

/// <summary>
/// The inbound side of one sidecar: what its application declared, its namespace's mTLS mode and default policy, and
/// the AuthorizationPolicies that select it (by their target Service's selector or their own, in its namespace).
/// </summary>
internal static class InboundCompiler
{
    public static Inbound Compile(ProxyIdentity proxy, AuthorizationState authorization, AuthorizationCompiler compiler)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        ArgumentNullException.ThrowIfNull(authorization);
        ArgumentNullException.ThrowIfNull(compiler);
        var security = authorization.SecurityOf(proxy.Namespace);
        var inbound = new Inbound { DefaultPort = (uint)DefaultPort(proxy), Mtls = security.Mtls, DefaultDeny = security.DefaultDeny };
        foreach (var port in proxy.Ports.OrderBy(p => p.Port).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            inbound.Ports.Add(new WorkloadPort { Name = port.Name, Port = (uint)port.Port, Protocol = port.Protocol });
        }

        if (proxy.Labels is { Count: > 0 } labels)
        {
            // PoliciesIn is ordered by name, so the output is deterministic.
            foreach (var accepted in authorization.PoliciesIn(proxy.Namespace))
            {
                if (LabelSelector.Matches(accepted.Selector, labels))
                {
                    inbound.Authorization.Add(compiler.Compile(accepted.Policy));
                }
            }
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
