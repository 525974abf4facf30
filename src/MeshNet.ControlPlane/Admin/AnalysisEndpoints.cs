using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Kubernetes.Analysis;
using MeshNet.Model.Security;
using MeshNet.Model.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MeshNet.ControlPlane.Admin;

/// <summary>
/// GET /debug/analysis: `meshctl analyze --live`. The same analyzers as the offline command, over the control plane's
/// current snapshot, whose workloads carry real readiness (registered sidecars, pod status).
/// GET /debug/explain?error=E&amp;service=S or ?source=NS/WORKLOAD&amp;url=U[&amp;method=M]: `meshctl explain`, over the
/// policies in force (accepted ones only: a rejected policy shapes no traffic). ?id=X explains a failed request the
/// sidecars remember by its x-request-id or trace id (<see cref="ExplainByIdEndpoint"/>).
/// </summary>
internal static class AnalysisEndpoints
{
    public static IEndpointRouteBuilder MapAnalysisEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/debug/analysis", (ProxySnapshotCache cache, MeshChangeTracker tracker) =>
            Results.Ok(MeshAnalyzer.Analyze(Input(cache, tracker)).Select(FindingView.From)));
        endpoints.MapGet("/debug/explain", (
            HttpRequest request, ProxySnapshotCache cache, MeshChangeTracker tracker, MeshConfigCompiler compiler, ProxyRegistry registry, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var query = request.Query;
            string? Value(string name) => query.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrEmpty(v[0]) ? v[0] : null;
            var explain = new ExplainRequest(Value("error"), Value("service"), Value("source"), Value("url"), Value("method") ?? "GET");
            var id = Value("id");
            if (id is not null && explain is { Error: null, Service: null, Source: null, Url: null })
            {
                return ExplainByIdEndpoint.ExplainAsync(id, InForce(cache, tracker), compiler.ClusterDomain, registry, cache.Index.Snapshot.Workloads.Values, time, cancellationToken);
            }

            if (id is not null || (explain.Url is null) == (explain.Service is null))
            {
                return Task.FromResult(Results.BadRequest(new { error = "give id; or error and service; or source and url" }));
            }

            return Task.FromResult(Results.Ok(MeshExplainer.Explain(InForce(cache, tracker), explain, compiler.ClusterDomain)));
        });
        return endpoints;
    }

    private static AnalysisInput InForce(ProxySnapshotCache cache, MeshChangeTracker tracker)
    {
        var index = cache.Index;
        return Input(cache, tracker) with
        {
            TrafficPolicies = [.. index.Traffic.Accepted.Values.OfType<TrafficPolicy>()],
            TrafficRoutes = [.. index.Traffic.Accepted.Values.OfType<TrafficRoute>()],
            AuthorizationPolicies = [.. index.Authorization.Accepted.Values.Select(a => a.Policy)],
        };
    }

    private static AnalysisInput Input(ProxySnapshotCache cache, MeshChangeTracker tracker)
    {
        var snapshot = cache.Index.Snapshot;
        return new AnalysisInput(
            [.. snapshot.Services.Values],
            [.. snapshot.Workloads.Values],
            [.. snapshot.EndpointSets.Values],
            [.. snapshot.Namespaces.Values],
            [.. snapshot.Traffic.Values.OfType<TrafficPolicy>()],
            [.. snapshot.Traffic.Values.OfType<TrafficRoute>()],
            [.. snapshot.Authorization.Values.OfType<AuthorizationPolicy>()],
            tracker.GetErrors(),
            Live: true);
    }
}

/// <summary>/debug/analysis entry; severity is "error", "warning" or "info".</summary>
internal sealed record FindingView(string Code, string Severity, string Resource, string? Field, string Message, string Fix)
{
    public static FindingView From(AnalysisFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return new FindingView(
            finding.Code, finding.Severity.ToString().ToLowerInvariant(), finding.Resource, finding.Field, finding.Message, finding.Fix);
    }
}
