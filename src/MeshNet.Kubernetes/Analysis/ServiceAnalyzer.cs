using System.Globalization;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Analysis;

/// <summary>Service-level checks: selectors, target ports, node ports, cluster IPs, exposure, readiness.</summary>
internal static class ServiceAnalyzer
{
    private const int NodePortMin = 30000;
    private const int NodePortMax = 32767;

    public static IEnumerable<AnalysisFinding> Analyze(AnalysisInput input)
    {
        var findings = new List<AnalysisFinding>();
        foreach (var service in input.Services.OrderBy(s => s.Key, ResourceKey.Ordinal))
        {
            var inNamespace = input.Workloads.Where(w => string.Equals(w.Namespace, service.Namespace, StringComparison.Ordinal)).ToList();
            if (service.Type != ServiceType.ExternalName && service.Selector is { Count: > 0 } selector)
            {
                var matching = LabelDistance.Matching(selector, inNamespace);
                if (matching.IsEmpty)
                {
                    findings.Add(NoPod(service, selector, inNamespace));
                }
                else
                {
                    findings.AddRange(UndeclaredNamedPorts(service, matching));
                    if (input.Live && matching.All(w => !w.Ready))
                    {
                        findings.Add(NotReady(service, matching.Length));
                    }
                }
            }
            else if (service.Type != ServiceType.ExternalName)
            {
                findings.AddRange(Selectorless(input, service));
            }

            findings.AddRange(NodePortRange(service));
            if (service.Type is ServiceType.NodePort or ServiceType.LoadBalancer)
            {
                findings.Add(new AnalysisFinding(
                    FindingCodes.ExposedBeyondMesh,
                    FindingSeverity.Info,
                    service.Key.ToString(),
                    "spec.type",
                    $"type {service.Type} opens the Service outside the mesh (node ports on every node{(service.Type == ServiceType.LoadBalancer ? ", an external address" : string.Empty)}), bypassing mTLS and authorization",
                    "Use type ClusterIP unless clients outside the mesh must call it; expose entry points through one gateway."));
            }
        }

        findings.AddRange(NodePortCollisions(input));
        findings.AddRange(DuplicateClusterIPs(input));
        return findings;
    }

    private static AnalysisFinding NoPod(MeshService service, IReadOnlyDictionary<string, string> selector, List<Workload> inNamespace)
    {
        var closest = LabelDistance.Closest(selector, inNamespace);
        var hint = closest is null ? $"no pod in namespace {service.Namespace} has any of these labels" : LabelDistance.Describe(closest, selector);
        return new AnalysisFinding(
            FindingCodes.SelectorMatchesNoPod,
            FindingSeverity.Error,
            service.Key.ToString(),
            "spec.selector",
            $"selector {LabelDistance.Format(selector)} matches no pod: {hint}",
            closest is null
                ? "Fix the selector, or deploy pods carrying these labels in the Service's namespace."
                : $"Make the selector and the labels of pod {closest.Name} agree.");
    }

    private static IEnumerable<AnalysisFinding> UndeclaredNamedPorts(MeshService service, IReadOnlyList<Workload> matching)
    {
        for (var i = 0; i < service.Ports.Length; i++)
        {
            var port = service.Ports[i];
            if (port.TargetPort.Name is not { } name
                || matching.Any(w => w.Ports.Any(p => string.Equals(p.Name, name, StringComparison.Ordinal))))
            {
                continue;
            }

            var pods = string.Join(", ", matching.Select(w => w.Name).Order(StringComparer.Ordinal));
            yield return new AnalysisFinding(
                FindingCodes.NamedTargetPortUndeclared,
                FindingSeverity.Error,
                service.Key.ToString(),
                string.Create(CultureInfo.InvariantCulture, $"spec.ports[{i}].targetPort"),
                $"targetPort '{name}' is not a containerPort name of any selected pod ({pods})",
                $"Name a containerPort '{name}' in the pods, or use the port number as targetPort.");
        }
    }

    private static AnalysisFinding NotReady(MeshService service, int count) => new(
        FindingCodes.NoReadyEndpoints,
        FindingSeverity.Warning,
        service.Key.ToString(),
        null,
        string.Create(CultureInfo.InvariantCulture, $"all {count} selected pod(s) are not ready: callers get 503 no-healthy-endpoints"),
        "Check the readiness probe (path, port) and the pods' logs; `meshctl describe svc` shows each endpoint's reason.");

    /// <summary>
    /// A Service without a selector gets its endpoints only from EndpointSlices someone else writes (labelled
    /// kubernetes.io/service-name): none at all, or none ready, leaves its callers with 503s. "None at all" is a
    /// finding only live: a directory often leaves the slices to whatever manages them (the API server writes the
    /// `kubernetes` Service's). A slice's conditions are in its manifest, so "none ready" holds offline too.
    /// </summary>
    private static IEnumerable<AnalysisFinding> Selectorless(AnalysisInput input, MeshService service)
    {
        var slices = input.EndpointSets
            .Where(e => string.Equals(e.Namespace, service.Namespace, StringComparison.Ordinal) && string.Equals(e.ServiceName, service.Name, StringComparison.Ordinal))
            .ToList();
        var endpoints = slices.SelectMany(e => e.Endpoints.IsDefault ? [] : e.Endpoints).ToList();
        if (endpoints.Count == 0)
        {
            if (!input.Live)
            {
                yield break;
            }

            yield return new AnalysisFinding(
                FindingCodes.NoEndpointSlice,
                FindingSeverity.Warning,
                service.Key.ToString(),
                "spec.selector",
                slices.Count == 0
                    ? "the Service has no selector and no EndpointSlice names it: callers get 503 no-healthy-endpoints"
                    : "the Service has no selector and its EndpointSlices list no endpoint: callers get 503 no-healthy-endpoints",
                $"Add a selector for the pods that serve it, or an EndpointSlice labelled kubernetes.io/service-name: {service.Name} listing the backends.");
        }
        else if (endpoints.All(e => !e.Ready && !e.ServingTerminating))
        {
            yield return new AnalysisFinding(
                FindingCodes.NoReadyEndpoints,
                FindingSeverity.Warning,
                service.Key.ToString(),
                null,
                string.Create(CultureInfo.InvariantCulture, $"all {endpoints.Count} endpoint(s) of its EndpointSlices ({string.Join(", ", slices.Select(e => e.Name))}) are not ready: callers get 503 no-healthy-endpoints"),
                "Whatever writes these EndpointSlices marks the backends not ready: check those backends, or the slices' conditions.ready.");
        }
    }

    private static IEnumerable<AnalysisFinding> NodePortRange(MeshService service)
    {
        for (var i = 0; i < service.Ports.Length; i++)
        {
            if (service.Ports[i].NodePort is { } nodePort && nodePort is < NodePortMin or > NodePortMax)
            {
                yield return new AnalysisFinding(
                    FindingCodes.NodePortOutOfRange,
                    FindingSeverity.Error,
                    service.Key.ToString(),
                    string.Create(CultureInfo.InvariantCulture, $"spec.ports[{i}].nodePort"),
                    string.Create(CultureInfo.InvariantCulture, $"nodePort {nodePort} is outside the default node port range {NodePortMin}-{NodePortMax}"),
                    "Pick a port in 30000-32767, or leave nodePort out to have one allocated.");
            }
        }
    }

    private static IEnumerable<AnalysisFinding> NodePortCollisions(AnalysisInput input)
    {
        var claims = input.Services
            .SelectMany(s => s.Ports.Select((p, i) => (Service: s, Index: i, p.NodePort, p.Protocol)))
            .Where(c => c.NodePort is not null)
            .GroupBy(c => (c.NodePort, c.Protocol));
        foreach (var group in claims)
        {
            var owners = group.OrderBy(c => c.Service.Key, ResourceKey.Ordinal).ToList();
            if (owners.Count < 2)
            {
                continue;
            }

            foreach (var owner in owners)
            {
                var others = string.Join(", ", owners.Where(o => o != owner).Select(o => $"{o.Service.Key}"));
                yield return new AnalysisFinding(
                    FindingCodes.NodePortCollision,
                    FindingSeverity.Error,
                    owner.Service.Key.ToString(),
                    string.Create(CultureInfo.InvariantCulture, $"spec.ports[{owner.Index}].nodePort"),
                    string.Create(CultureInfo.InvariantCulture, $"nodePort {group.Key.NodePort}/{group.Key.Protocol} is also claimed by {others}"),
                    "Give each Service its own nodePort, or leave nodePort out to have one allocated.");
            }
        }
    }

    private static IEnumerable<AnalysisFinding> DuplicateClusterIPs(AnalysisInput input)
    {
        var claims = input.Services
            .Where(s => !s.Headless && !s.ClusterIPs.IsDefault)
            .SelectMany(s => s.ClusterIPs.Select(ip => (Service: s, Ip: ip)))
            .GroupBy(c => c.Ip, StringComparer.Ordinal);
        foreach (var group in claims)
        {
            var owners = group.Select(c => c.Service).Distinct().OrderBy(s => s.Key, ResourceKey.Ordinal).ToList();
            if (owners.Count < 2)
            {
                continue;
            }

            foreach (var owner in owners)
            {
                var others = string.Join(", ", owners.Where(o => o != owner).Select(o => o.Key.ToString()));
                yield return new AnalysisFinding(
                    FindingCodes.DuplicateClusterIP,
                    FindingSeverity.Error,
                    owner.Key.ToString(),
                    "spec.clusterIP",
                    $"clusterIP {group.Key} is also requested by {others}",
                    "Give each Service its own clusterIP, or leave it out to have one allocated.");
            }
        }
    }
}
