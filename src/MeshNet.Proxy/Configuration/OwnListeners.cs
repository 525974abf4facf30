using System.Net;

namespace MeshNet.Proxy.Configuration;

/// <summary>
/// This sidecar's bound listeners, for the one check the control plane cannot make: it does not know which
/// addresses a given sidecar listens on, and any address can stand in an EndpointSlice.
/// </summary>
internal sealed record OwnListeners(IPEndPoint Inbound, IPEndPoint Outbound, IPEndPoint Admin)
{
    public static OwnListeners None { get; } = new(new(IPAddress.None, 0), new(IPAddress.None, 0), new(IPAddress.None, 0));

    /// <summary>
    /// True when forwarding to the endpoint comes back into this sidecar: a plain endpoint at the outbound
    /// listener, or a meshed endpoint at the inbound listener whose target port is one of the sidecar's own.
    /// (A meshed endpoint at the inbound listener with the app's port is fine: a pod calling its own Service.)
    /// </summary>
    public bool LeadsBackHere(Protocol.V1.Endpoint endpoint)
    {
        if (!IPAddress.TryParse(endpoint.Address, out var address))
        {
            return false;
        }

        if (!endpoint.Meshed)
        {
            return Matches(Outbound, address, endpoint.Port);
        }

        var target = (int)endpoint.TargetPort;
        return Matches(Inbound, address, endpoint.Port) && (target == Inbound.Port || target == Outbound.Port || target == Admin.Port);
    }

    private static bool Matches(IPEndPoint listener, IPAddress address, uint port) =>
        listener.Port != 0 && listener.Port == port &&
        (listener.Address.Equals(address) || listener.Address.Equals(IPAddress.Any) || listener.Address.Equals(IPAddress.IPv6Any));
}
