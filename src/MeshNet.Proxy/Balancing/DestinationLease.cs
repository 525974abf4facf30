using MeshNet.Proxy.Configuration;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// One attempt's hold on a destination the balancer picked. Completing it feeds the balancer (in-flight count,
/// latency average); every picked lease is completed exactly once.
/// </summary>
internal readonly struct DestinationLease(OutboundDestination destination)
{
    public OutboundDestination Destination { get; } = destination;

    /// <param name="success">False for a connect failure, reset, timeout or 5xx.</param>
    public void Complete(bool success)
    {
        if (!success)
        {
            Destination.Failures.Increment();
        }
    }
}
