using MeshNet.Proxy.Telemetry.AccessLog;
using MeshNet.Proxy.Telemetry.Failures;
using MeshNet.Proxy.Telemetry.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MeshNet.Proxy.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Metrics (/metrics), the access log, the recent-failures ring (/failures) and the request hook that feeds them.
    /// A test may register its own <see cref="AccessLogOutput"/> or <see cref="FailureRing"/> first.
    /// </summary>
    public static IServiceCollection AddMeshTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<ProxyMetrics>();
        services.AddSingleton<ScrapeTimeMetrics>();
        services.AddSingleton<MetricsEndpoint>();
        services.TryAddSingleton(_ => AccessLogOutput.StandardOutput());
        services.AddSingleton<AccessLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        services.TryAddSingleton(_ => new FailureRing());
        services.AddSingleton<FailureRecorder>();
        services.AddSingleton<RequestTelemetry>();
        return services;
    }
}
