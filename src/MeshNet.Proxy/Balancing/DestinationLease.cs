using MeshNet.Proxy.Configuration;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// One attempt's hold on a destination the balancer picked. Completing it feeds the balancer (in-flight count,
/// latency average); every picked lease is completed exactly once, at the end of its attempt.
/// </summary>
internal readonly struct DestinationLease
{
    private readonly long _startedAt;

    /// <param name="destination">The picked destination; picking counts the attempt as in flight.</param>
    public DestinationLease(OutboundDestination destination)
    {
        Destination = destination;
        _startedAt = destination.Stats.Start();
    }

    public OutboundDestination Destination { get; }

    /// <param name="success">False for a connect failure, reset, timeout or 5xx.</param>
    public void Complete(bool success) => Destination.Stats.Complete(_startedAt, success);
}
