using System.Collections.Immutable;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using MeshNet.Model.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MeshNet.ControlPlane.Admin;

/// <summary>/debug/services/{ns}/{name} (what `meshctl describe svc` shows) and /debug/workloads.</summary>
internal static class ServiceDetailEndpoints
{
    public static IEndpointRouteBuilder MapServiceDetailEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/debug/services/{ns}/{name}", (string ns, string name, ProxySnapshotCache cache, MeshConfigCompiler compiler) =>
            ServiceDetailView.Of(cache.Index, new ResourceKey(ResourceKinds.Service, ns, name), compiler.ClusterDomain) is { } view
                ? Results.Ok(view)
                : Results.NotFound(new { error = $"services \"{name}\" not found in namespace {ns}" }));
        endpoints.MapGet("/debug/workloads", (string? @namespace, ProxySnapshotCache cache) => Results.Ok(
            cache.Index.Snapshot.Workloads.Values
                .Where(w => string.IsNullOrEmpty(@namespace) || string.Equals(w.Namespace, @namespace, StringComparison.Ordinal))
                .OrderBy(w => w.Namespace, StringComparer.Ordinal)
                .ThenBy(w => w.Name, StringComparer.Ordinal)
                .ThenBy(w => w.Kind, StringComparer.Ordinal)
                .Select(WorkloadView.From)));
        return endpoints;
    }
}

/// <summary>/debug/workloads entry.</summary>
/// <param name="Kind">"Pod" from manifests, "Sidecar" from a registered sidecar.</param>
/// <param name="Identity">The SPIFFE ID its sidecar serves mTLS as; null when plaintext or unmeshed.</param>
internal sealed record WorkloadView(
    string Namespace,
    string Name,
    string Kind,
    string? Owner,
    string Address,
    bool Ready,
    string ServiceAccount,
    string? Identity,
    bool Meshed,
    IReadOnlyDictionary<string, string> Labels)
{
    public static WorkloadView From(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return new WorkloadView(
            workload.Namespace,
            workload.Name,
            workload.Kind,
            workload.Owner,
            workload.Address,
            workload.Ready,
            workload.ServiceAccount,
            workload.Identity,
            workload.HasSidecar,
            new SortedDictionary<string, string>(workload.Labels, StringComparer.Ordinal));
    }
}

/// <summary>One Service with everything that decides who reaches it and how: endpoints, traffic resources, mTLS, authorization.</summary>
/// <param name="Selector">The Service's selector; empty when it has none.</param>
/// <param name="Mtls">The namespace's mode: STRICT, PERMISSIVE or DISABLED.</param>
internal sealed record ServiceDetailView(
    string Namespace,
    string Name,
    string Type,
    IReadOnlyDictionary<string, string> Selector,
    IReadOnlyList<string> ClusterIPs,
    IReadOnlyList<ServicePortStatusView> Ports,
    IReadOnlyList<EndpointDetailView> Endpoints,
    IReadOnlyList<PolicyStatusView> Policies,
    IReadOnlyList<PolicyStatusView> Routes,
    string Mtls,
    AuthorizationDetailView Authorization)
{
    public static ServiceDetailView? Of(MeshIndex index, ResourceKey key, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (!index.Services.TryGetValue(key, out var view))
        {
            return null;
        }

        var status = ServiceStatusView.From(view);
        var attached = PolicyStatusView.List(index, clusterDomain)
            .Where(p => string.Equals(p.Namespace, key.Namespace, StringComparison.Ordinal) && TargetsService(p.Target, key.Name))
            .ToList();
        var security = index.Authorization.SecurityOf(key.Namespace);
        return new ServiceDetailView(
            status.Namespace,
            status.Name,
            status.Type,
            new SortedDictionary<string, string>(view.Service.Selector ?? ImmutableDictionary<string, string>.Empty, StringComparer.Ordinal),
            status.ClusterIPs,
            status.Ports,
            [.. view.Ports.SelectMany(p => p.Endpoints.Select(e => EndpointDetailView.From(p.Port.Port, e, index.Snapshot)))],
            [.. attached.Where(p => p.Kind == ResourceKinds.TrafficPolicy)],
            [.. attached.Where(p => p.Kind == ResourceKinds.TrafficRoute)],
            security.Mtls.ToString().ToUpperInvariant(),
            new AuthorizationDetailView(security.DefaultDeny, [.. AuthorizationsFor(index, view).Select(AuthorizationPolicyView.From)]));
    }

    private static bool TargetsService(string target, string service) =>
        string.Equals(target, service, StringComparison.Ordinal) || target.StartsWith(service + ":", StringComparison.Ordinal);

    /// <summary>Policies selecting any workload behind the Service, or naming the Service itself.</summary>
    private static IEnumerable<AuthorizationPolicy> AuthorizationsFor(MeshIndex index, ServiceView view)
    {
        var labels = view.Ports.SelectMany(p => p.Endpoints).Select(e => e.Labels).ToList();
        return index.Authorization.PoliciesIn(view.Service.Namespace)
            .Where(a => string.Equals(a.Policy.Target.ServiceName, view.Service.Name, StringComparison.Ordinal)
                || labels.Any(l => a.Selector.All(s => l.TryGetValue(s.Key, out var v) && v == s.Value)))
            .Select(a => a.Policy);
    }
}

/// <param name="Reason">
/// Why it is not ready: the sidecar's probe verdict ("readiness probe failed: connection refused"), "pod not ready",
/// "terminating"; null when ready.
/// </param>
internal sealed record EndpointDetailView(
    int Port, string Workload, string Address, int TargetPort, bool Ready, bool Meshed, bool Terminating, string? Reason)
{
    public static EndpointDetailView From(int port, ResolvedEndpoint endpoint, MeshSnapshot snapshot)
    {
        var workload = Find(snapshot, endpoint.Workload);
        var terminating = endpoint.ServingTerminating || workload?.Terminating == true;
        string? reason = null;
        if (!endpoint.Ready)
        {
            reason = terminating ? "terminating"
                : workload?.Kind == "Sidecar" ? workload.NotReadyReason ?? "sidecar not ready"
                : "pod not ready";
        }

        return new EndpointDetailView(port, endpoint.Workload, endpoint.Address, endpoint.TargetPort, endpoint.Ready, endpoint.Meshed, terminating, reason);
    }

    private static Workload? Find(MeshSnapshot snapshot, string namespacedName)
    {
        var slash = namespacedName.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return null;
        }

        var (ns, name) = (namespacedName[..slash], namespacedName[(slash + 1)..]);
        return snapshot.Workloads.GetValueOrDefault(new ResourceKey("Sidecar", ns, name))
            ?? snapshot.Workloads.GetValueOrDefault(new ResourceKey("Pod", ns, name));
    }
}

/// <param name="DefaultDeny">The namespace's default policy is deny: only what an ALLOW policy permits gets in.</param>
internal sealed record AuthorizationDetailView(bool DefaultDeny, IReadOnlyList<AuthorizationPolicyView> Policies);

internal sealed record AuthorizationPolicyView(string Name, string Action, IReadOnlyList<AuthorizationRuleView> Rules)
{
    public static AuthorizationPolicyView From(AuthorizationPolicy policy) => new(
        policy.Name,
        policy.Action.ToString().ToUpperInvariant(),
        [.. policy.Rules.Select(r => new AuthorizationRuleView(
            [.. r.From.SelectMany(f => f.ServiceAccounts.IsDefault ? [] : f.ServiceAccounts)],
            [.. r.From.SelectMany(f => f.Namespaces.IsDefault ? [] : f.Namespaces)],
            [.. r.To.SelectMany(t => t.Ports.IsDefault ? [] : t.Ports)],
            [.. r.To.SelectMany(t => t.Methods.IsDefault ? [] : t.Methods)],
            [.. r.To.SelectMany(t => t.Paths.IsDefault ? [] : t.Paths)]))]);
}

/// <param name="Principals">Service accounts as "namespace/name"; empty with empty namespaces: any caller.</param>
internal sealed record AuthorizationRuleView(
    IReadOnlyList<string> Principals, IReadOnlyList<string> Namespaces, IReadOnlyList<int> Ports, IReadOnlyList<string> Methods, IReadOnlyList<string> Paths);
