using MeshNet.Proxy.Configuration;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// Power of two random choices (Mitzenmacher): draw two distinct destinations at random and take the one with the
/// lower load. Nearly as good as scanning for the least loaded, at constant cost, and it never herds every client
/// onto the one destination that looked best a moment ago.
/// </summary>
internal abstract class PowerOfTwoChoicesLoadBalancer : LoadBalancer
{
    public sealed override OutboundDestination? Pick(HttpContext? context, OutboundDestination[] destinations, in DestinationFilter filter)
    {
        switch (destinations.Length)
        {
            case 0:
                return null;
            case 1:
                return filter.Allows(destinations[0]) ? destinations[0] : null;
        }

        var (i, j) = TwoDistinct(destinations.Length);
        var a = destinations[i];
        var b = destinations[j];
        var allowsA = filter.Allows(a);
        var allowsB = filter.Allows(b);
        if (allowsA && allowsB)
        {
            return Lighter(a, b);
        }

        if (allowsA || allowsB)
        {
            return allowsA ? a : b;
        }

        return PickAmongAllowed(destinations, filter, this, static (self, all, allowed) =>
        {
            var (x, y) = TwoDistinct(allowed.Length);
            return ReferenceEquals(self.Lighter(all[allowed[x]], all[allowed[y]]), all[allowed[x]]) ? allowed[x] : allowed[y];
        });
    }

    /// <summary>The destination's load; lower is better.</summary>
    protected abstract double Load(OutboundDestination destination, long now);

    private OutboundDestination Lighter(OutboundDestination a, OutboundDestination b)
    {
        var now = a.Stats.Time.GetTimestamp();
        // Ties go to a, which is already a random choice.
        return Load(b, now) < Load(a, now) ? b : a;
    }

    private static (int, int) TwoDistinct(int n)
    {
        var i = Random.Shared.Next(n);
        var j = Random.Shared.Next(n - 1);
        return (i, j >= i ? j + 1 : j);
    }
}

/// <summary>P2C on requests in flight (Envoy's LEAST_REQUEST with choice_count 2).</summary>
internal sealed class LeastRequestLoadBalancer : PowerOfTwoChoicesLoadBalancer
{
    public static LeastRequestLoadBalancer Instance { get; } = new();

    protected override double Load(OutboundDestination destination, long now) => destination.Stats.InFlight;
}

/// <summary>
/// Linkerd's default balancer: P2C on PeakEwma cost, the decayed latency average × (requests in flight + 1)
/// (see <see cref="DestinationStats"/>). A slow or failing endpoint loses most comparisons until its average
/// decays or its peers get busier.
/// </summary>
internal sealed class PeakEwmaLoadBalancer : PowerOfTwoChoicesLoadBalancer
{
    public static PeakEwmaLoadBalancer Instance { get; } = new();

    protected override double Load(OutboundDestination destination, long now) => destination.Stats.Cost(now);
}
