using System.Globalization;
using MeshNet.Cli.Local.Gateway;

namespace MeshNet.Cli.Commands;

/// <summary>Services as `kubectl get svc` shows them, with where the gateway serves them on this machine.</summary>
internal static class ServiceTable
{
    public static void Write(TextWriter output, IReadOnlyList<ExposedService> services)
    {
        if (services.Count == 0)
        {
            return;
        }

        output.WriteLine($"{"NAMESPACE",-12}{"NAME",-20}{"TYPE",-14}{"CLUSTER-IP",-16}{"EXTERNAL-IP",-16}PORT(S)");
        foreach (var exposed in services)
        {
            var service = exposed.Service;
            var port = exposed.Port.NodePort is { } node
                ? string.Create(CultureInfo.InvariantCulture, $"{exposed.Port.Port}:{node}/{exposed.Port.Protocol}")
                : string.Create(CultureInfo.InvariantCulture, $"{exposed.Port.Port}/{exposed.Port.Protocol}");
            var clusterIp = service.ClusterIPs.Count > 0 ? service.ClusterIPs[0] : "None";
            var external = exposed.External?.Address.ToString() ?? "<none>";
            output.WriteLine($"{service.Namespace,-12}{service.Name,-20}{service.Type,-14}{clusterIp,-16}{external,-16}{port}");
        }

        foreach (var exposed in services)
        {
            if (exposed.External is { } lb)
            {
                output.WriteLine($"{exposed.Service.Name}.{exposed.Service.Namespace}: http://{lb}/ (LoadBalancer)");
            }
            else if (exposed.NodePort is { } node)
            {
                output.WriteLine($"{exposed.Service.Name}.{exposed.Service.Namespace}: http://{node}/ (NodePort)");
            }
        }
    }
}
