using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MeshNet.ControlPlane.Telemetry.Tracing;

/// <summary>
/// One trace per config push: a "config push" root from the change the tracker observed, a "compile" child for
/// recompiling the watched sidecars, and per sidecar a "push" span from sending its new version to its ACK (or NACK,
/// or the stream ending). Exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is set; otherwise
/// the source has no listener and every call below returns null at once.
/// </summary>
internal sealed class PushTracer : IDisposable
{
    public const string SourceName = "MeshNet.ControlPlane";

    private readonly ActivitySource _source = new(SourceName);
    private readonly TracerProvider? _provider;
    private readonly TimeProvider _time;

    public PushTracer(TimeProvider time)
        : this(time, Environment.GetEnvironmentVariable)
    {
    }

    internal PushTracer(TimeProvider time, Func<string, string?> variable)
    {
        _time = time;
        if (ExportConfigured(variable))
        {
            // The OTLP exporter reads the endpoint, protocol, headers and timeout variables itself.
            _provider = Sdk.CreateTracerProviderBuilder()
                .AddSource(SourceName)
                .ConfigureResource(r => r.AddService(variable("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : "meshnet-control"))
                .AddOtlpExporter()
                .Build();
        }
    }

    /// <summary>This instance's source: tests listen to exactly it.</summary>
    public ActivitySource Source => _source;

    /// <param name="observedAt">The <see cref="TimeProvider"/> timestamp of the change that led here, when known.</param>
    /// <param name="compileStart">Where the push starts when the change's time is not known.</param>
    public Activity? StartPush(long? observedAt, DateTimeOffset compileStart)
    {
        if (!_source.HasListeners())
        {
            return null;
        }

        var start = observedAt is { } at and > 0 ? _time.GetUtcNow() - _time.GetElapsedTime(at) : compileStart;
        Activity.Current = null;
        return _source.StartActivity("config push", ActivityKind.Internal, parentContext: default, startTime: start < compileStart ? start : compileStart);
    }

    public DateTimeOffset Now() => _time.GetUtcNow();

    /// <summary>The recompilation that found <paramref name="sidecars"/> changed configs, as a child of the push.</summary>
    public static void RecordCompile(Activity? push, DateTimeOffset started, int sidecars)
    {
        if (push is null)
        {
            return;
        }

        using var compile = push.Source.StartActivity("compile", ActivityKind.Internal, push.Context, startTime: started);
        compile?.SetTag("meshnet.push.sidecars", sidecars);
    }

    /// <summary>
    /// A sidecar's push, a child of the push that produced its version (or a trace of its own for the first
    /// config of a new stream); the caller ends it with <see cref="EndSend"/>.
    /// </summary>
    public Activity? StartSend(ActivityContext push, string sidecar, string version, bool fullState)
    {
        if (!_source.HasListeners())
        {
            return null;
        }

        // A default context would make the stream's ambient Activity (hosting's, never exported) the parent.
        Activity.Current = null;
        var span = _source.StartActivity("push", ActivityKind.Producer, push);
        if (span is { IsAllDataRequested: true })
        {
            span.DisplayName = $"push {sidecar}";
            span.AddTag("meshnet.sidecar", sidecar);
            span.AddTag("meshnet.config.version", version);
            span.AddTag("meshnet.push.full_state", fullState);
        }

        // The send happens on the stream's loop; the next push there must not become this one's child.
        Activity.Current = null;
        return span;
    }

    /// <param name="nack">The sidecar's rejection, or null for an ACK.</param>
    public static void EndSend(Activity? span, string? nack, bool acked = true)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag("meshnet.push.result", nack is not null ? "nack" : acked ? "ack" : "abandoned");
        if (nack is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, nack);
        }

        span.Stop();
    }

    public void Dispose()
    {
        _provider?.Dispose();
        _source.Dispose();
    }

    private static bool ExportConfigured(Func<string, string?> variable) =>
        (variable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } || variable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") is { Length: > 0 })
        && !string.Equals(variable("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(variable("OTEL_TRACES_EXPORTER"), "none", StringComparison.OrdinalIgnoreCase);
}
