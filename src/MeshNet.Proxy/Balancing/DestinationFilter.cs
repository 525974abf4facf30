using MeshNet.Proxy.Configuration;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// Which destinations an attempt may use: not ejected by outlier detection and, on a retry, not one the request
/// already tried. Balancers ask only about the destinations they consider, so a pick costs a few lookups, not N.
/// </summary>
/// <param name="isEjected">Outlier detection's view by destination id (ClusterResilience.IsEjected); null: none ejected.</param>
internal readonly struct DestinationFilter(Func<string, bool>? isEjected, IReadOnlyCollection<OutboundDestination>? avoid)
{
    public bool HasAvoid => avoid is { Count: > 0 };

    /// <summary>The same filter without the avoid set: used when every destination not ejected was already tried.</summary>
    public DestinationFilter WithoutAvoid() => new(isEjected, null);

    public bool Allows(OutboundDestination destination) =>
        (isEjected is null || !isEjected(destination.Id)) && !Avoids(destination);

    private bool Avoids(OutboundDestination destination)
    {
        switch (avoid)
        {
            case null or { Count: 0 }:
                return false;
            case IList<OutboundDestination> list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (ReferenceEquals(list[i], destination) || string.Equals(list[i].Id, destination.Id, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            default:
                foreach (var tried in avoid)
                {
                    if (ReferenceEquals(tried, destination) || string.Equals(tried.Id, destination.Id, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
        }
    }
}
