using MeshNet.ControlPlane.Discovery;
using MeshNet.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MeshNet.ControlPlane.Admin;

/// <summary>
/// /debug/proxies (every connected sidecar with its sync status) and /debug/proxies/{ns}/{name}/config, which reads
/// the sidecar's own admin listener so that meshctl needs to reach only the control plane.
/// </summary>
internal static class ProxyDebugEndpoints
{
    public static IEndpointRouteBuilder MapProxyDebugEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/debug/proxies", (ProxyRegistry registry, ProxySnapshotCache cache, TimeProvider time) =>
            Results.Ok(ProxyDebugView.List(registry.List(), cache.Index.Snapshot.Workloads.Values, time.GetUtcNow())));
        endpoints.MapGet("/debug/proxies/{ns}/{name}/config", ReadConfigAsync);
        return endpoints;
    }

    private static async Task<IResult> ReadConfigAsync(
        string ns, string name, string? section, ProxyRegistry registry, ProxySnapshotCache cache, CancellationToken cancellationToken)
    {
        if (!SidecarConfigSection.TryParse(section, out var parsed))
        {
            return Results.Json(
                new { error = $"unknown section '{section}'; one of: {string.Join(", ", SidecarConfigSection.Names)}" },
                statusCode: StatusCodes.Status400BadRequest);
        }

        if (!registry.List().Any(p => p.Namespace == ns && p.Name == name))
        {
            return Results.Json(new { error = $"no sidecar {ns}/{name} is connected" }, statusCode: StatusCodes.Status404NotFound);
        }

        var admin = ProxyDebugView.AdminAddressOf(cache.Index.Snapshot.Workloads.Values, ns, name);
        if (admin is null)
        {
            return Results.Json(
                new { error = $"sidecar {ns}/{name} did not report an admin address (Node.admin_address)" }, statusCode: StatusCodes.Status404NotFound);
        }

        var reply = await SidecarAdminClient.ReadAsync(admin, parsed, cancellationToken).ConfigureAwait(false);
        return reply.Error is { } error
            ? Results.Json(new { error = $"sidecar {ns}/{name} admin at {admin}: {error}" }, statusCode: StatusCodes.Status502BadGateway)
            : Results.Text(reply.Json!, "application/json");
    }
}

/// <summary>
/// /debug/proxies entry: the stream's view plus where its admin listener is and whether it runs the config it was sent.
/// </summary>
/// <param name="AdminAddress">"IP:port" of the sidecar's admin listener (Node.admin_address); null when not reported.</param>
/// <param name="Status">
/// SYNCED: it ACKed the last version sent. NACKED: it refused the last version sent (and runs an older one).
/// STALE: a version was sent and is not answered yet, or nothing was ACKed at all.
/// </param>
/// <param name="SecondsSinceAck">Whole seconds since the last ACK; null before the first.</param>
internal sealed record ProxyDebugView(
    string Name,
    string Namespace,
    string Address,
    int InboundPort,
    IReadOnlyDictionary<string, string> Labels,
    string ServiceAccount,
    bool Ready,
    DateTimeOffset ConnectedAt,
    string AckedVersion,
    string SentVersion,
    NackRecord? LastNack,
    string? AdminAddress,
    string Status,
    long? SecondsSinceAck)
{
    public const string Synced = "SYNCED";
    public const string Stale = "STALE";
    public const string Nacked = "NACKED";

    public static List<ProxyDebugView> List(IEnumerable<ProxyStatusView> proxies, IEnumerable<Workload> workloads, DateTimeOffset now)
    {
        var admins = workloads
            .Where(w => w.Kind == ResourceKinds.Sidecar && !string.IsNullOrEmpty(w.AdminAddress))
            .GroupBy(w => MeshNames.NamespacedName(w.Namespace, w.Name), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().AdminAddress, StringComparer.Ordinal);
        return [.. proxies.Select(p => From(p, admins.GetValueOrDefault(MeshNames.NamespacedName(p.Namespace, p.Name)), now))];
    }

    public static ProxyDebugView From(ProxyStatusView proxy, string? adminAddress, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return new ProxyDebugView(
            proxy.Name,
            proxy.Namespace,
            proxy.Address,
            proxy.InboundPort,
            proxy.Labels,
            proxy.ServiceAccount,
            proxy.Ready,
            proxy.ConnectedAt,
            proxy.AckedVersion,
            proxy.SentVersion,
            proxy.LastNack,
            adminAddress,
            StatusOf(proxy),
            proxy.AckedAt is { } at ? (long)Math.Max(0, Math.Floor((now - at).TotalSeconds)) : null);
    }

    public static string StatusOf(ProxyStatusView proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        if (proxy.LastNack is { } nack && nack.Version == proxy.SentVersion && proxy.AckedVersion != proxy.SentVersion)
        {
            return Nacked;
        }

        return proxy.AckedVersion.Length > 0 && proxy.AckedVersion == proxy.SentVersion ? Synced : Stale;
    }

    public static string? AdminAddressOf(IEnumerable<Workload> workloads, string ns, string name) =>
        workloads.FirstOrDefault(w => w.Kind == ResourceKinds.Sidecar && w.Namespace == ns && w.Name == name && !string.IsNullOrEmpty(w.AdminAddress))
            ?.AdminAddress;
}
