using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.ControlPlane.Identity;
using MeshNet.ControlPlane.Stats;
using MeshNet.ControlPlane.Telemetry.Metrics;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MeshNet.ControlPlane.Admin;

/// <summary>The admin HTTP API: health, readiness and read-only debug views (camelCase JSON).</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Not bound to the admin listener: that port is often 0 until Kestrel starts, and the gRPC listener
        // is HTTP/2-only, so the only overlap is these read-only views being reachable over h2c too.
        var admin = endpoints.MapGroup(string.Empty);
        admin.MapGet("/healthz", () => Results.Text("ok"));
        admin.MapGet("/readyz", (ControlPlaneReadiness readiness) =>
            readiness.IsReady ? Results.Text("ready") : Results.Text("loading", statusCode: StatusCodes.Status503ServiceUnavailable));
        admin.MapProxyDebugEndpoints();
        admin.MapServiceDetailEndpoints();
        admin.MapGet("/debug/errors", (MeshChangeTracker tracker) => Results.Ok(tracker.GetErrors().Select(ErrorView.From)));
        admin.MapGet("/debug/services", (ProxySnapshotCache cache) => Results.Ok(
            cache.Index.Services.Values
                .OrderBy(s => s.Service.Key, ResourceKey.Ordinal)
                .Select(ServiceStatusView.From)));
        admin.MapGet("/debug/policies", (ProxySnapshotCache cache, MeshConfigCompiler compiler) =>
            Results.Ok(PolicyStatusView.List(cache.Index, compiler.ClusterDomain).ToList()));
        admin.MapPost("/identity/tokens", JoinTokenEndpoint.IssueAsync);
        admin.MapStatsEndpoints();
        admin.MapAnalysisEndpoints();
        admin.MapControlPlaneMetrics();
        admin.MapDashboard();
        return endpoints;
    }
}
