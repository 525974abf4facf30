using System.Buffers;
using MeshNet.Proxy.Configuration;
using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// Picks one destination of a cluster for one attempt. One instance per cluster per route table; state that must
/// outlive the table (statistics, counters, the ring) lives in <see cref="ClusterBalancing"/>.
/// </summary>
internal abstract class LoadBalancer
{
    /// <summary>Largest cluster whose usable-candidate list is gathered on the stack; bigger ones rent an array.</summary>
    private const int StackCandidates = 256;

    /// <summary>A destination <paramref name="filter"/> allows, or null when it allows none.</summary>
    public abstract OutboundDestination? Pick(HttpContext? context, OutboundDestination[] destinations, in DestinationFilter filter);

    /// <summary>
    /// The slow path, when the first candidates tried were filtered out: gathers every allowed index and lets
    /// <paramref name="choose"/> pick among them (it receives at least two).
    /// </summary>
    protected static OutboundDestination? PickAmongAllowed<TState>(
        OutboundDestination[] destinations,
        in DestinationFilter filter,
        TState state,
        Func<TState, OutboundDestination[], ReadOnlySpan<int>, int> choose)
    {
        int[]? rented = null;
        Span<int> buffer = destinations.Length <= StackCandidates
            ? stackalloc int[destinations.Length]
            : (rented = ArrayPool<int>.Shared.Rent(destinations.Length));
        try
        {
            var count = 0;
            for (var i = 0; i < destinations.Length; i++)
            {
                if (filter.Allows(destinations[i]))
                {
                    buffer[count++] = i;
                }
            }

            return count switch
            {
                0 => null,
                1 => destinations[buffer[0]],
                _ => destinations[choose(state, destinations, buffer[..count])],
            };
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }
}

/// <summary>Strict rotation; a filtered-out destination passes its turn to the next one.</summary>
internal sealed class RoundRobinLoadBalancer(ClusterBalancing state) : LoadBalancer
{
    public override OutboundDestination? Pick(HttpContext? context, OutboundDestination[] destinations, in DestinationFilter filter)
    {
        var n = (uint)destinations.Length;
        if (n == 0)
        {
            return null;
        }

        var start = state.NextRoundRobin() % n;
        for (var k = 0u; k < n; k++)
        {
            var destination = destinations[(start + k) % n];
            if (filter.Allows(destination))
            {
                return destination;
            }
        }

        return null;
    }
}

/// <summary>Uniformly random over the allowed destinations.</summary>
internal sealed class RandomLoadBalancer : LoadBalancer
{
    public static RandomLoadBalancer Instance { get; } = new();

    public override OutboundDestination? Pick(HttpContext? context, OutboundDestination[] destinations, in DestinationFilter filter)
    {
        if (destinations.Length == 0)
        {
            return null;
        }

        var first = destinations[Random.Shared.Next(destinations.Length)];
        return filter.Allows(first)
            ? first
            : PickAmongAllowed(destinations, filter, 0, static (_, _, allowed) => allowed[Random.Shared.Next(allowed.Length)]);
    }
}
