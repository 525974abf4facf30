using System.Globalization;
using System.Net;

namespace MeshNet.Cli.Local.Gateway;

/// <summary>
/// Which listeners the gateway serves, as a pure function of /debug/services: per TCP port of a NodePort or
/// LoadBalancer Service, 127.0.0.1:nodePort (this machine exposes nothing beyond loopback) and, for a
/// LoadBalancer, its ingress address on the Service port. The ingress comes from the control plane; when it
/// reports none, the runner picks one from <paramref name="fallbackNetwork"/> (.1, .2, ... in name order).
/// </summary>
internal sealed record GatewayPlan(IReadOnlyList<ExposedService> Services)
{
    public static GatewayPlan From(IEnumerable<ServiceStatus> services, IPAddress fallbackNetwork)
    {
        var bytes = fallbackNetwork.GetAddressBytes();
        var fallback = 0;
        var exposed = new List<ExposedService>();
        foreach (var service in services.Where(s => s.IsNodePort)
            .OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            IPAddress? external = null;
            if (service.IsLoadBalancer)
            {
                external = service.LoadBalancerIngress is [var first, ..] && IPAddress.TryParse(first, out var ingress)
                    ? ingress
                    : new IPAddress([bytes[0], bytes[1], bytes[2], (byte)(1 + fallback++)]);
            }

            foreach (var port in service.Ports.Where(p => p.Protocol == "TCP"))
            {
                var nodePort = port.NodePort is { } n ? new IPEndPoint(IPAddress.Loopback, n) : null;
                var lb = external is null ? null : new IPEndPoint(external, port.Port);
                exposed.Add(new ExposedService(service, port, nodePort, lb));
            }
        }

        return new GatewayPlan(exposed);
    }

    /// <summary>The meshnet-proxy flags: "--expose LISTEN=name.ns:port" per listener, in a stable order.</summary>
    public IReadOnlyList<string> ExposeArguments()
    {
        var arguments = new List<string>();
        foreach (var (listen, host) in Listeners())
        {
            arguments.Add("--expose");
            arguments.Add($"{listen}={host}");
        }

        return arguments;
    }

    /// <summary>
    /// The plan without the listeners this process may not open (<paramref name="mayBind"/> false: a privileged
    /// port without root), which <paramref name="skipped"/> names; a Service left with neither listener is dropped.
    /// </summary>
    public GatewayPlan Bindable(Func<IPEndPoint, bool> mayBind, out IReadOnlyList<SkippedListener> skipped)
    {
        var refused = new List<SkippedListener>();
        var kept = new List<ExposedService>();
        foreach (var exposed in Services)
        {
            var nodePort = Keep(exposed, exposed.NodePort);
            var external = Keep(exposed, exposed.External);
            if (nodePort is not null || external is not null)
            {
                kept.Add(exposed with { NodePort = nodePort, External = external });
            }
        }

        skipped = refused;
        return new GatewayPlan(kept);

        IPEndPoint? Keep(ExposedService exposed, IPEndPoint? listen)
        {
            if (listen is null || mayBind(listen))
            {
                return listen;
            }

            refused.Add(new SkippedListener(listen, HostOf(exposed)));
            return null;
        }
    }

    /// <summary>Same listeners routed to the same hosts: no need to restart the gateway.</summary>
    public bool SameListeners(GatewayPlan other) => Listeners().SequenceEqual(other.Listeners());

    private static string HostOf(ExposedService exposed) =>
        string.Create(CultureInfo.InvariantCulture, $"{exposed.Service.Name}.{exposed.Service.Namespace}:{exposed.Port.Port}");

    private IEnumerable<(IPEndPoint Listen, string Host)> Listeners()
    {
        foreach (var exposed in Services)
        {
            var host = HostOf(exposed);
            if (exposed.NodePort is { } nodePort)
            {
                yield return (nodePort, host);
            }

            if (exposed.External is { } external)
            {
                yield return (external, host);
            }
        }
    }
}

/// <summary>A listener the gateway leaves out because this process may not open it.</summary>
internal sealed record SkippedListener(IPEndPoint Listen, string Host);

/// <summary>One Service port the gateway serves: on a node port, on an external address, or both.</summary>
internal sealed record ExposedService(ServiceStatus Service, ServicePortStatus Port, IPEndPoint? NodePort, IPEndPoint? External);
