using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Indexing;

/// <summary>
/// Resolves a Service's endpoints with Kubernetes semantics (the EndpointSlice controller's rules):
/// selector Services take the matching workloads of their namespace, selector-less Services take the
/// EndpointSlices labelled with their name.
/// </summary>
internal static class EndpointResolver
{
    public static ServiceView Resolve(MeshService service, MeshSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(snapshot);
        if (service.Type == ServiceType.ExternalName)
        {
            return new ServiceView(service, [.. service.Ports.Select(p => new ServicePortView(p, []))]);
        }

        var ports = service.Selector is { Count: > 0 } selector
            ? FromSelector(service, selector, snapshot)
            : FromEndpointSets(service, snapshot);
        return new ServiceView(service, ports);
    }

    private static ImmutableArray<ServicePortView> FromSelector(
        MeshService service, ImmutableDictionary<string, string> selector, MeshSnapshot snapshot)
    {
        var workloads = Candidates(snapshot.WorkloadsSelectedBy(service.Namespace, selector));
        var result = ImmutableArray.CreateBuilder<ServicePortView>(service.Ports.Length);
        foreach (var port in service.Ports)
        {
            var endpoints = new List<ResolvedEndpoint>(workloads.Count);
            foreach (var workload in workloads)
            {
                if (ResolveTargetPort(port, workload) is not { } target)
                {
                    continue;
                }

                // The EndpointSlice controller's conditions: ready = serving and not terminating.
                var endpoint = ToEndpoint(workload, target, workload.Ready && !workload.Terminating, HostnameFor(service, workload));
                endpoints.Add(workload.Terminating && workload.Ready ? endpoint with { ServingTerminating = true } : endpoint);
            }

            result.Add(new ServicePortView(port, SortedDistinct(endpoints)));
        }

        return result.MoveToImmutable();
    }

    /// <summary>
    /// Matching workloads with an address. A registered sidecar shadows the manifest Pod of the same name: it is
    /// the live process, and it is the one that can be reached through a sidecar. The Pod still carries the spec,
    /// so its hostname and subdomain (StatefulSet-style DNS names) carry over to the sidecar.
    /// </summary>
    private static List<Workload> Candidates(IReadOnlyList<Workload> selected)
    {
        var byName = new Dictionary<string, Workload>(StringComparer.Ordinal);
        Dictionary<string, Workload>? podSpecs = null;
        foreach (var workload in selected)
        {
            if (!IsSidecar(workload) && (workload.Hostname is not null || workload.Terminating))
            {
                (podSpecs ??= new(StringComparer.Ordinal)).TryAdd(workload.Name, workload);
            }

            if (workload.Address.Length == 0)
            {
                continue;
            }

            if (!byName.TryGetValue(workload.Name, out var existing) || IsSidecar(workload) && !IsSidecar(existing))
            {
                byName[workload.Name] = workload;
            }
        }

        if (podSpecs is null)
        {
            return [.. byName.Values];
        }

        // A pod being deleted is terminating whichever of its two records is used.
        return [.. byName.Values.Select(w => IsSidecar(w) && podSpecs.TryGetValue(w.Name, out var pod)
            ? w with
            {
                Hostname = w.Hostname ?? pod.Hostname,
                Subdomain = w.Hostname is null ? pod.Subdomain : w.Subdomain,
                Terminating = w.Terminating || pod.Terminating,
            }
            : w)];
    }

    private static bool IsSidecar(Workload workload) =>
        string.Equals(workload.Kind, ResourceKinds.Sidecar, StringComparison.Ordinal);

    /// <summary>
    /// A numeric targetPort applies to every workload; a named one resolves against the workload's port of
    /// that name and protocol, and a workload without it is not an endpoint for this Service port.
    /// </summary>
    internal static int? ResolveTargetPort(ServicePort port, Workload workload)
    {
        if (!port.TargetPort.IsNamed)
        {
            return port.TargetPort.Number != 0 ? port.TargetPort.Number : port.Port;
        }

        foreach (var candidate in workload.Ports)
        {
            if (string.Equals(candidate.Name, port.TargetPort.Name, StringComparison.Ordinal) &&
                string.Equals(candidate.Protocol, port.Protocol, StringComparison.OrdinalIgnoreCase))
            {
                return candidate.Port;
            }
        }

        return null;
    }

    private static ResolvedEndpoint ToEndpoint(Workload workload, int targetPort, bool ready, string? hostname) =>
        workload.InboundPort is { } inbound
            ? new ResolvedEndpoint(Name(workload), workload.Address, inbound, targetPort, ready, true, workload.Labels, hostname, ServedIdentity(workload))
            : new ResolvedEndpoint(Name(workload), workload.Address, targetPort, targetPort, ready, false, workload.Labels, hostname);

    /// <summary>
    /// The identity a sidecar reported, when it is the one its namespace and service account entitle it to (the
    /// trust domain is the CA's to enforce): a claim of another identity is ignored, so clients stay plaintext.
    /// </summary>
    private static string? ServedIdentity(Workload workload) =>
        workload.Identity is { } identity
        && identity.StartsWith("spiffe://", StringComparison.Ordinal)
        && identity.EndsWith($"/ns/{workload.Namespace}/sa/{workload.ServiceAccount}", StringComparison.Ordinal)
            ? identity
            : null;

    /// <summary>The EndpointSlice controller copies spec.hostname only when spec.subdomain is the Service's name.</summary>
    private static string? HostnameFor(MeshService service, Workload workload) =>
        workload.Hostname is { Length: > 0 } hostname && string.Equals(workload.Subdomain, service.Name, StringComparison.Ordinal)
            ? hostname
            : null;

    private static string Name(Workload workload) => MeshNames.NamespacedName(workload.Namespace, workload.Name);

    private static ImmutableArray<ServicePortView> FromEndpointSets(MeshService service, MeshSnapshot snapshot)
    {
        var sets = snapshot.EndpointSetsFor(service.Namespace, service.Name);
        var result = ImmutableArray.CreateBuilder<ServicePortView>(service.Ports.Length);
        foreach (var port in service.Ports)
        {
            var endpoints = new List<ResolvedEndpoint>();
            foreach (var set in sets)
            {
                var setPort = set.Ports.FirstOrDefault(p =>
                    string.Equals(p.Name, port.Name, StringComparison.Ordinal) &&
                    string.Equals(p.Protocol, port.Protocol, StringComparison.OrdinalIgnoreCase));
                if (setPort is null)
                {
                    continue;
                }

                foreach (var entry in set.Endpoints)
                {
                    foreach (var address in entry.Addresses)
                    {
                        endpoints.Add(FromSliceEntry(service, entry, address, setPort.Port, snapshot));
                    }
                }
            }

            result.Add(new ServicePortView(port, SortedDistinct(endpoints)));
        }

        return result.MoveToImmutable();
    }

    private static ResolvedEndpoint FromSliceEntry(
        MeshService service, EndpointSetEntry entry, string address, int port, MeshSnapshot snapshot)
    {
        if (snapshot.SidecarAt(address) is { } sidecar)
        {
            // The address belongs to a meshed workload: go through its sidecar like any selector endpoint.
            return ToEndpoint(sidecar, port, entry.Ready, entry.Hostname) with { ServingTerminating = entry.ServingTerminating };
        }

        var workload = entry.TargetPodName is { Length: > 0 } pod ? MeshNames.NamespacedName(service.Namespace, pod) : string.Empty;
        return new ResolvedEndpoint(
            workload, address, port, port, entry.Ready, false, LabelSelector.Empty, entry.Hostname, ServingTerminating: entry.ServingTerminating);
    }

    /// <summary>
    /// Sorted by address and port, one entry per address:port. Kubernetes lets one endpoint appear in several
    /// EndpointSlices (a slice being split or handed over) and expects consumers to merge them, as kube-proxy
    /// does; two Pods claiming one IP are merged the same way. The merged endpoint is ready when any copy is.
    /// </summary>
    private static ImmutableArray<ResolvedEndpoint> SortedDistinct(List<ResolvedEndpoint> endpoints)
    {
        endpoints.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Address, b.Address);
            if (c != 0)
            {
                return c;
            }

            c = a.Port.CompareTo(b.Port);
            return c != 0 ? c : string.CompareOrdinal(a.Workload, b.Workload);
        });

        var distinct = ImmutableArray.CreateBuilder<ResolvedEndpoint>(endpoints.Count);
        foreach (var endpoint in endpoints)
        {
            if (distinct.Count > 0 && distinct[^1] is var last &&
                last.Port == endpoint.Port && string.Equals(last.Address, endpoint.Address, StringComparison.Ordinal))
            {
                if (endpoint.Ready && !last.Ready)
                {
                    distinct[^1] = last with { Ready = true };
                }
                else if (endpoint.ServingTerminating && !last.Ready && !last.ServingTerminating)
                {
                    distinct[^1] = last with { ServingTerminating = true };
                }

                continue;
            }

            distinct.Add(endpoint);
        }

        return distinct.DrainToImmutable();
    }
}
