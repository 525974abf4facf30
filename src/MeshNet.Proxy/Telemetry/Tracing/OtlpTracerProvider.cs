using MeshNet.Proxy.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MeshNet.Proxy.Telemetry.Tracing;

/// <summary>
/// The OpenTelemetry SDK pipeline for the sidecar's spans: batched OTLP export (gRPC or HTTP/protobuf), off the
/// request path. The SDK samples everything it is given because <see cref="ProxyTracer"/> only starts sampled spans.
/// </summary>
internal static class OtlpTracerProvider
{
    public static TracerProvider Build(TracingOptions tracing, ProxyOptions options, string workload)
    {
        ArgumentNullException.ThrowIfNull(tracing);
        ArgumentNullException.ThrowIfNull(options);
        return Sdk.CreateTracerProviderBuilder()
            .AddSource(ProxyTracer.SourceName)
            .SetSampler(new AlwaysOnSampler())
            .ConfigureResource(resource => resource
                .AddService(
                    tracing.ServiceName ?? workload,
                    serviceNamespace: options.Namespace,
                    serviceInstanceId: options.Name,
                    autoGenerateServiceInstanceId: false)
                .AddAttributes(
                [
                    new("k8s.pod.name", options.Name),
                    new("k8s.namespace.name", options.Namespace),
                    new("meshnet.component", "sidecar"),
                ]))
            .AddOtlpExporter(exporter => Configure(exporter, tracing))
            .Build();
    }

    /// <summary>
    /// Flags over variables. The SDK appends /v1/traces to an HTTP endpoint taken from OTEL_EXPORTER_OTLP_ENDPOINT
    /// but not to one set in code, so a bare --otlp-endpoint gets it here.
    /// </summary>
    internal static void Configure(OtlpExporterOptions exporter, TracingOptions tracing)
    {
        if (tracing.Protocol is { } protocol)
        {
            exporter.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        }

        if (tracing.Endpoint is { } endpoint)
        {
            exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or ""
                ? new Uri(endpoint, "v1/traces")
                : endpoint;
        }
    }
}
