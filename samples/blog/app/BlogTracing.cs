using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BlogApp;

/// <summary>
/// What an app in the mesh does for tracing: continue the trace its sidecar hands it (traceparent on the incoming
/// request) and pass it on with every outgoing call. ASP.NET Core and HttpClient do both once spans are recorded;
/// the OpenTelemetry SDK exports them over OTLP to wherever OTEL_EXPORTER_OTLP_ENDPOINT points (and reads
/// OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_SAMPLER, ... itself).
/// </summary>
internal static class BlogTracing
{
    public static IServiceCollection AddBlogTracing(this IServiceCollection services, BlogSettings settings)
    {
        if (!Enabled())
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : settings.Role,
                serviceNamespace: settings.PodNamespace,
                serviceVersion: settings.Version,
                autoGenerateServiceInstanceId: false,
                serviceInstanceId: settings.PodName))
            .WithTracing(tracing => tracing
                // Readiness probes every second would drown the traces worth looking at.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/healthz")
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        return services;
    }

    private static bool Enabled() =>
        (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 }
            || Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") is { Length: > 0 })
        && !string.Equals(Environment.GetEnvironmentVariable("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(Environment.GetEnvironmentVariable("OTEL_TRACES_EXPORTER"), "none", StringComparison.OrdinalIgnoreCase);
}
