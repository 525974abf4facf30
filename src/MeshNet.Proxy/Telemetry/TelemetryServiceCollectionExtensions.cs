using MeshNet.Proxy.Telemetry.AccessLog;
using MeshNet.Proxy.Telemetry.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MeshNet.Proxy.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>Metrics (/metrics), the access log and the request hook that feeds both. A test may register its own <see cref="AccessLogOutput"/> first.</summary>
    public static IServiceCollection AddMeshTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<ProxyMetrics>();
        services.AddSingleton<ScrapeTimeMetrics>();
        services.AddSingleton<MetricsEndpoint>();
        services.TryAddSingleton(_ => AccessLogOutput.StandardOutput());
        services.AddSingleton<AccessLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        services.AddSingleton<RequestTelemetry>();
        return services;
    }
}
