using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Identity;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Carries an intercepted non-HTTP connection to a Service's ClusterIP:port at L4, as kube-proxy would, but with the
/// cluster's balancer and client-IP affinity: picks an endpoint, dials it (the next one when the dial fails) and
/// relays the bytes. A meshed endpoint with an identity is reached as mesh TCP (<see cref="MeshTcp"/>): mTLS to its
/// pod IP:targetPort, which the peer's inbound interception terminates; any other endpoint gets the plain bytes, a
/// meshed one at its pod IP:targetPort (its interception delivers them to the app), an unmeshed one at address:port.
/// </summary>
internal sealed partial class ServiceTcpProxy(
    SocketMarker marker,
    MeshTcpTunnel tunnel,
    ICertificateSource certificates,
    Func<ProxySnapshot> snapshots,
    ILogger logger)
{
    // As the passthrough's: a live endpoint answers in well under a second; a dead one is skipped for the next.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private Built? _cache;

    /// <summary>Runs the connection to its end; it is closed when no endpoint of <paramref name="cluster"/> accepts it.</summary>
    public async Task RunAsync(ConnectionContext connection, IPEndPoint dialled, ClusterEntry cluster)
    {
        var client = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var failed = new List<OutboundDestination>();
        while (cluster.PickForConnection(client, dialled.Address.ToString(), failed) is { } lease)
        {
            var destination = lease.Destination;
            if (failed.Contains(destination) || TargetOf(cluster.Name, destination.Id) is not { } target)
            {
                // Every destination failed (the balancer ignores the avoid set once it leaves nothing), or the
                // configuration moved on under this connection.
                lease.Complete(success: false);
                break;
            }

            Socket socket;
            try
            {
                using var connect = new CancellationTokenSource(ConnectTimeout);
                socket = await marker.ConnectAsync(target.Dial, connect.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                lease.Complete(success: false);
                failed.Add(destination);
                LogConnectFailed(logger, cluster.Name, target.Dial, ex.Message);
                continue;
            }

            LogConnected(logger, dialled, cluster.Name, target.Dial, target.Identity.Length > 0 && certificates.Enabled);
            try
            {
                if (target.Identity.Length > 0 && certificates.Enabled)
                {
                    await tunnel.OriginateOverAsync(connection, socket, target.Dial, target.Identity).ConfigureAwait(false);
                }
                else
                {
                    await TcpPassthrough.RelayAsync(connection, socket).ConfigureAwait(false);
                }
            }
            finally
            {
                lease.Complete(success: true);
            }

            return;
        }

        LogNoEndpoint(logger, dialled, cluster.Name);
        connection.Abort(new ConnectionAbortedException("no reachable endpoint"));
    }

    /// <summary>Where to dial a destination of a cluster and the identity to demand, from the applied snapshot.</summary>
    private Target? TargetOf(string cluster, string destinationId)
    {
        var snapshot = snapshots();
        var cache = Volatile.Read(ref _cache);
        if (cache is null || !ReferenceEquals(cache.Snapshot, snapshot))
        {
            cache = new Built(snapshot, Build(snapshot));
            Volatile.Write(ref _cache, cache);
        }

        return cache.Targets.TryGetValue(cluster, out var targets) && targets.TryGetValue(destinationId, out var target) ? target : null;
    }

    private static FrozenDictionary<string, FrozenDictionary<string, Target>> Build(ProxySnapshot snapshot) =>
        snapshot.Clusters.Values.ToFrozenDictionary(
            c => c.Name,
            c => c.Endpoints
                .Select(e => (Id: YarpClusterTranslator.DestinationId(e), Target: For(e)))
                .Where(t => t.Target is not null)
                .GroupBy(t => t.Id, StringComparer.Ordinal)
                .ToFrozenDictionary(g => g.Key, g => g.First().Target!, StringComparer.Ordinal),
            StringComparer.Ordinal);

    internal static Target? For(Protocol.V1.Endpoint endpoint)
    {
        if (!IPAddress.TryParse(endpoint.Address, out var address))
        {
            return null;
        }

        // A meshed endpoint's port is its sidecar's inbound listener, which expects HTTP; its pod's app port is the
        // target port, reached through the peer's inbound interception as MeshTcp does for pod IPs.
        var port = endpoint.Meshed && endpoint.TargetPort != 0 ? endpoint.TargetPort : endpoint.Port;
        return new Target(new IPEndPoint(address, (int)port), endpoint.Meshed ? endpoint.Identity : string.Empty);
    }

    /// <summary>A destination's L4 address and the SPIFFE ID to demand ("" for plain bytes).</summary>
    internal sealed record Target(IPEndPoint Dial, string Identity);

    private sealed record Built(ProxySnapshot Snapshot, FrozenDictionary<string, FrozenDictionary<string, Target>> Targets);

    [LoggerMessage(Level = LogLevel.Debug, Message = "L4 connection to {Dialled} via {Cluster}: endpoint {Endpoint} (mesh mTLS: {Mtls})")]
    private static partial void LogConnected(ILogger logger, IPEndPoint dialled, string cluster, IPEndPoint endpoint, bool mtls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "L4 connection via {Cluster}: endpoint {Endpoint} failed to connect ({Reason}); trying the next")]
    private static partial void LogConnectFailed(ILogger logger, string cluster, IPEndPoint endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "L4 connection to {Dialled} closed: no reachable endpoint in {Cluster}")]
    private static partial void LogNoEndpoint(ILogger logger, IPEndPoint dialled, string cluster);
}
