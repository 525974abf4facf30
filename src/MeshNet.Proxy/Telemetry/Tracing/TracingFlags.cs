namespace MeshNet.Proxy.Telemetry.Tracing;

/// <summary>The sidecar's tracing flags, collected while parsing and laid over the OTEL_* variables at the end.</summary>
internal sealed class TracingFlags
{
    private Uri? _endpoint;
    private string? _protocol;
    private double? _ratio;

    public static bool IsTracingFlag(string flag) => flag is "--otlp-endpoint" or "--otlp-protocol" or "--trace-sampling";

    public bool Apply(string flag, string value, out string? error)
    {
        error = null;
        switch (flag)
        {
            case "--otlp-endpoint":
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    error = $"--otlp-endpoint: '{value}' is not an http(s) URL";
                    return false;
                }

                _endpoint = uri;
                return true;
            case "--otlp-protocol":
                _protocol = TracingOptions.ParseProtocol(value);
                error = _protocol is null ? $"--otlp-protocol: '{value}' is not grpc or http/protobuf" : null;
                return error is null;
            case "--trace-sampling":
                if (!TraceSampling.TryParseRatio(value, out var ratio))
                {
                    error = $"--trace-sampling: '{value}' is not a ratio between 0 and 1";
                    return false;
                }

                _ratio = ratio;
                return true;
            default:
                error = $"unknown flag '{flag}'";
                return false;
        }
    }

    /// <summary>The variables' settings with the flags on top; null with <paramref name="error"/> when a variable is malformed.</summary>
    public TracingOptions? Resolve(Func<string, string?> variable, out string? error)
    {
        if (TracingOptions.FromEnvironment(variable, out error) is not { } options)
        {
            return null;
        }

        if (_endpoint is not null)
        {
            // OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none still switch export off, as for the SDK itself.
            var switchedOff = string.Equals(variable(TracingOptions.DisabledVariable), "true", StringComparison.OrdinalIgnoreCase)
                || string.Equals(variable(TracingOptions.ExporterVariable), "none", StringComparison.OrdinalIgnoreCase);
            options = options with { Endpoint = _endpoint, Export = !switchedOff };
        }

        if (_protocol is not null)
        {
            options = options with { Protocol = _protocol };
        }

        if (_ratio is { } ratio)
        {
            options = options with { Sampling = new TraceSampling(ratio, ParentBased: true) };
        }

        return options;
    }
}
