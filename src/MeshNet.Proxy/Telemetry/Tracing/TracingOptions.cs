namespace MeshNet.Proxy.Telemetry.Tracing;

/// <summary>
/// Where spans go and which are kept: the standard OpenTelemetry variables (OTEL_EXPORTER_OTLP_ENDPOINT,
/// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER[_ARG],
/// OTEL_TRACES_EXPORTER=none, OTEL_SDK_DISABLED) overridden by the sidecar's flags. Without an endpoint tracing is
/// off and costs nothing: no ActivitySource has a listener.
/// </summary>
internal sealed record TracingOptions
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string TracesProtocolVariable = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";
    public const string ExporterVariable = "OTEL_TRACES_EXPORTER";
    public const string DisabledVariable = "OTEL_SDK_DISABLED";

    public static TracingOptions Off { get; } = new();

    /// <summary>The OTLP endpoint given by --otlp-endpoint (used as is), null when the variables decide.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>"grpc" or "http/protobuf" from --otlp-protocol; null when the variables (or the default, grpc) decide.</summary>
    public string? Protocol { get; init; }

    /// <summary>True when spans are exported: an endpoint from a flag or a variable, and not switched off.</summary>
    public bool Export { get; init; }

    /// <summary>Spans are made without an exporter (tests attach their own ActivityListener).</summary>
    public bool ListenOnly { get; init; }

    public TraceSampling Sampling { get; init; } = TraceSampling.Default;

    /// <summary>OTEL_SERVICE_NAME, or null for the sidecar's default (its workload).</summary>
    public string? ServiceName { get; init; }

    public bool Enabled => Export || ListenOnly;

    /// <summary>Reads the variables; null with <paramref name="error"/> for a sampler setting that is not understood.</summary>
    public static TracingOptions? FromEnvironment(Func<string, string?> variable, out string? error)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var sampling = TraceSampling.FromEnvironment(variable(TraceSampling.SamplerVariable), variable(TraceSampling.SamplerArgVariable), out error);
        if (sampling is null)
        {
            return null;
        }

        var endpoint = NonEmpty(variable(TracesEndpointVariable)) ?? NonEmpty(variable(EndpointVariable));
        var switchedOff = string.Equals(variable(DisabledVariable), "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(variable(ExporterVariable), "none", StringComparison.OrdinalIgnoreCase);
        return new TracingOptions
        {
            Export = endpoint is not null && !switchedOff,
            Sampling = sampling,
            ServiceName = NonEmpty(variable(ServiceNameVariable)),
        };
    }

    /// <summary>"grpc" or "http/protobuf" (OTLP's names); null when not one of them.</summary>
    public static string? ParseProtocol(string value) => value switch
    {
        "grpc" => "grpc",
        "http/protobuf" or "http" => "http/protobuf",
        _ => null,
    };

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
