using System.Net;

namespace MeshNet.Proxy.Hosting;

/// <summary>
/// The addresses the three listeners actually bound (port 0 becomes a real port). Known once Kestrel has started;
/// readers that need them before that await <see cref="WhenBound"/>.
/// </summary>
internal sealed class ListenerEndpoints
{
    private readonly TaskCompletionSource _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IPEndPoint Inbound { get; private set; } = new(IPAddress.None, 0);

    public IPEndPoint Outbound { get; private set; } = new(IPAddress.None, 0);

    public IPEndPoint Admin { get; private set; } = new(IPAddress.None, 0);

    public int InboundPort { get; private set; }

    public int OutboundPort { get; private set; }

    public int AdminPort { get; private set; }

    /// <summary>The gateway (--expose) listeners, in the order given.</summary>
    public IReadOnlyList<IPEndPoint> Exposed { get; private set; } = [];

    public Task WhenBound => _bound.Task;

    public void SetBound(IPEndPoint inbound, IPEndPoint outbound, IPEndPoint admin, IReadOnlyList<IPEndPoint>? exposed = null)
    {
        (Inbound, Outbound, Admin) = (inbound, outbound, admin);
        Exposed = exposed ?? [];
        (InboundPort, OutboundPort, AdminPort) = (inbound.Port, outbound.Port, admin.Port);
        _bound.TrySetResult();
    }

    /// <summary>Ports the inbound side must never deliver to: they would loop back into this sidecar.</summary>
    public bool IsOwnPort(int port) => port == InboundPort || port == OutboundPort || port == AdminPort;
}
