using MeshNet.ControlPlane.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MeshNet.ControlPlane.Telemetry.Metrics;

internal static class MetricsServiceCollectionExtensions
{
    /// <summary>
    /// The control plane's metrics, and the update pipeline <typeparamref name="TPipeline"/> behind a decorator that
    /// times its flushes (registered as <see cref="IMeshUpdatePipeline"/>).
    /// </summary>
    public static IServiceCollection AddControlPlaneMetrics<TPipeline>(this IServiceCollection services)
        where TPipeline : class, IMeshUpdatePipeline
    {
        services.AddSingleton<ControlPlaneMetrics>();
        services.AddSingleton<TPipeline>();
        services.AddSingleton<IMeshUpdatePipeline>(sp => new TimedMeshUpdatePipeline(
            sp.GetRequiredService<TPipeline>(), sp.GetRequiredService<ControlPlaneMetrics>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>GET /metrics: Prometheus text format 0.0.4.</summary>
    public static IEndpointRouteBuilder MapControlPlaneMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/metrics", (ControlPlaneMetrics metrics, Microsoft.AspNetCore.Http.HttpContext context) => metrics.WriteAsync(context));
        return endpoints;
    }
}
