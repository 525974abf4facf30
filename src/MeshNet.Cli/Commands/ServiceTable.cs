using System.Globalization;
using System.Net;
using System.Text;
using MeshNet.Cli.Local.Gateway;

namespace MeshNet.Cli.Commands;

/// <summary>
/// Services as `kubectl get svc` prints them: left-aligned columns three spaces apart, NAMESPACE first with -A,
/// "80:30080/TCP" ports, EXTERNAL-IP "&lt;pending&gt;" for a LoadBalancer without an address, and MeshNet's ENDPOINTS
/// column (ready/total), and POLICIES (the TrafficPolicies and TrafficRoutes targeting it) when the caller has them.
/// Wide adds the ready endpoint addresses.
/// </summary>
internal static class ServiceTable
{
    /// <param name="externalOverride">
    /// External addresses known to the caller but not (yet) to the control plane: the runner's own choice for a
    /// LoadBalancer Service, by "namespace/name".
    /// </param>
    public static string Format(
        IEnumerable<ServiceStatus> services,
        bool allNamespaces,
        bool wide,
        IReadOnlyDictionary<string, IPAddress>? externalOverride = null,
        IReadOnlyDictionary<string, string>? policies = null)
    {
        var header = new List<string>();
        if (allNamespaces)
        {
            header.Add("NAMESPACE");
        }

        header.AddRange(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "ENDPOINTS"]);
        if (policies is not null)
        {
            header.Add("POLICIES");
        }

        if (wide)
        {
            header.Add("ADDRESSES");
        }

        var rows = new List<List<string>> { header };
        foreach (var service in services.OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            var row = new List<string>();
            if (allNamespaces)
            {
                row.Add(service.Namespace);
            }

            row.AddRange([service.Name, service.Type, ClusterIp(service), ExternalIp(service, externalOverride), Ports(service), Endpoints(service)]);
            if (policies is not null)
            {
                row.Add(policies.GetValueOrDefault($"{service.Namespace}/{service.Name}", "<none>"));
            }

            if (wide)
            {
                row.Add(Addresses(service));
            }

            rows.Add(row);
        }

        return Align(rows);
    }

    /// <summary>Where the gateway serves each exposed Service port, one line each, for `up` to print.</summary>
    public static string Urls(GatewayPlan plan)
    {
        var text = new StringBuilder();
        foreach (var exposed in plan.Services)
        {
            var name = $"{exposed.Service.Name}.{exposed.Service.Namespace}";
            if (exposed.External is { } lb)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}: http://{lb}/ (LoadBalancer)\n");
            }

            if (exposed.NodePort is { } node)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}: http://{node}/ (NodePort)\n");
            }
        }

        return text.ToString();
    }

    /// <summary>The runner's LoadBalancer addresses by "namespace/name", for <see cref="Format"/>.</summary>
    public static Dictionary<string, IPAddress> ExternalAddresses(GatewayPlan plan) =>
        plan.Services.Where(e => e.External is not null)
            .GroupBy(e => $"{e.Service.Namespace}/{e.Service.Name}", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().External!.Address, StringComparer.Ordinal);

    private static string ClusterIp(ServiceStatus service) => service switch
    {
        { Type: "ExternalName" } => "<none>",
        { ClusterIPs: [var first, ..] } => first,
        _ => "None",
    };

    private static string ExternalIp(ServiceStatus service, IReadOnlyDictionary<string, IPAddress>? externalOverride)
    {
        // As kubectl: an ExternalName Service's name is where its "external IP" would be.
        if (service.ExternalName is { Length: > 0 } externalName)
        {
            return externalName;
        }

        if (service.LoadBalancerIngress is { Count: > 0 } ingress)
        {
            return string.Join(',', ingress);
        }

        if (externalOverride is not null && externalOverride.TryGetValue($"{service.Namespace}/{service.Name}", out var address))
        {
            return address.ToString();
        }

        return service.IsLoadBalancer ? "<pending>" : "<none>";
    }

    private static string Ports(ServiceStatus service) =>
        service.Ports.Count == 0
            ? "<none>"
            : string.Join(',', service.Ports.Select(p => p.NodePort is { } node
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Port}:{node}/{p.Protocol}")
                : string.Create(CultureInfo.InvariantCulture, $"{p.Port}/{p.Protocol}")));

    /// <summary>Distinct endpoints (workload and address) over all ports; ready when ready for any port.</summary>
    private static string Endpoints(ServiceStatus service)
    {
        if (service.Type == "ExternalName")
        {
            return "<none>";
        }

        var endpoints = (service.Endpoints ?? [])
            .GroupBy(e => (e.Workload, e.Address))
            .Select(g => g.Any(e => e.Ready))
            .ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{endpoints.Count(r => r)}/{endpoints.Count}");
    }

    private static string Addresses(ServiceStatus service)
    {
        var ready = (service.Endpoints ?? []).Where(e => e.Ready)
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Address}:{e.TargetPort}"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return ready.Count == 0 ? "<none>" : string.Join(',', ready);
    }

    /// <summary>Left-aligned columns three spaces apart, as kubectl prints them; the first row is the header.</summary>
    internal static string Align(List<List<string>> rows) => Output.Table.Format(rows);
}
