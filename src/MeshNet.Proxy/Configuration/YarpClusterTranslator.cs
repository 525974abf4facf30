using System.Globalization;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Configuration;

/// <summary>Turns the snapshot's clusters into YARP clusters: one destination per endpoint, keyed "address:port".</summary>
internal static class YarpClusterTranslator
{
    public static IReadOnlyList<ClusterConfig> ToClusters(ProxySnapshot snapshot)
    {
        var clusters = new List<ClusterConfig>(snapshot.Clusters.Count);
        foreach (var cluster in snapshot.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            clusters.Add(ToCluster(cluster));
        }

        return clusters;
    }

    /// <summary>"10.0.0.7:8080" or "[fd00::7]:8080".</summary>
    public static string DestinationId(Proto.Endpoint endpoint) =>
        endpoint.Address.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{endpoint.Address}]:{endpoint.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{endpoint.Address}:{endpoint.Port}");

    private static ClusterConfig ToCluster(Proto.Cluster cluster)
    {
        var destinations = new Dictionary<string, DestinationConfig>(cluster.Endpoints.Count, StringComparer.Ordinal);
        foreach (var endpoint in cluster.Endpoints)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MeshMetadata.Meshed] = endpoint.Meshed ? "true" : "false",
                [MeshMetadata.Workload] = endpoint.Workload,
            };
            if (endpoint.TargetPort != 0)
            {
                metadata[MeshMetadata.TargetPort] = endpoint.TargetPort.ToString(CultureInfo.InvariantCulture);
            }

            destinations[DestinationId(endpoint)] = new DestinationConfig
            {
                Address = HostKeys.DestinationPrefix(endpoint.Address, endpoint.Port),
                Metadata = metadata,
            };
        }

        return new ClusterConfig
        {
            ClusterId = cluster.Name,
            // Unused: the sidecar's own balancers pick destinations (Balancing/), YARP only forwards.
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            Destinations = destinations,
            Metadata = ClusterMetadata(cluster),
        };
    }

    /// <summary>
    /// Service facts plus the transport limits the forwarder's HttpClient factory applies. Only these belong here:
    /// YARP rebuilds a cluster's client when its config changes, so routes, weights and the balancing policy stay
    /// out, and a change of them never resets connections.
    /// </summary>
    private static Dictionary<string, string> ClusterMetadata(Proto.Cluster cluster)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MeshMetadata.Service] = cluster.Service,
            [MeshMetadata.AppProtocol] = cluster.AppProtocol,
        };
        if (Milliseconds(cluster.Timeouts?.Connect) is { } connect)
        {
            metadata[MeshMetadata.ConnectTimeoutMs] = connect;
        }

        if (Milliseconds(cluster.Timeouts?.Idle) is { } idle)
        {
            metadata[MeshMetadata.IdleTimeoutMs] = idle;
        }

        if (cluster.CircuitBreaker is { MaxConnections: > 0 } breaker)
        {
            metadata[MeshMetadata.MaxConnections] = breaker.MaxConnections.ToString(CultureInfo.InvariantCulture);
        }

        return metadata;
    }

    /// <summary>Whole milliseconds, rounded up so a sub-millisecond limit is not lost; null when unset or not positive.</summary>
    private static string? Milliseconds(Google.Protobuf.WellKnownTypes.Duration? duration)
    {
        if (duration is null || !DurationRules.TryToTimeSpan(duration, out var span) || span <= TimeSpan.Zero)
        {
            return null;
        }

        return ((long)Math.Ceiling(span.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>Metadata keys on YARP clusters and destinations.</summary>
internal static class MeshMetadata
{
    public const string Meshed = "meshnet.io/meshed";
    public const string TargetPort = "meshnet.io/target-port";
    public const string Workload = "meshnet.io/workload";
    public const string Service = "meshnet.io/service";
    public const string AppProtocol = "meshnet.io/app-protocol";

    /// <summary>Cluster: Timeouts.connect in whole milliseconds; absent when unset.</summary>
    public const string ConnectTimeoutMs = "meshnet.io/connect-timeout-ms";

    /// <summary>Cluster: Timeouts.idle in whole milliseconds; absent when unset.</summary>
    public const string IdleTimeoutMs = "meshnet.io/idle-timeout-ms";

    /// <summary>Cluster: CircuitBreaker.max_connections (connections per destination); absent when 0 (no limit).</summary>
    public const string MaxConnections = "meshnet.io/max-connections";
}
