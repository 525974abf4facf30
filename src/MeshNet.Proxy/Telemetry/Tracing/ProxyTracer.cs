using System.Diagnostics;
using System.Globalization;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Forwarding;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Trace;

namespace MeshNet.Proxy.Telemetry.Tracing;

/// <summary>
/// The sidecar's spans: a server span per request received (inbound from a peer, outbound from the app), a client
/// span per outbound attempt under the outbound request's span, so retries are siblings. The sampling decision comes
/// first and an unsampled request gets no Activity: its headers pass unchanged, and a new trace that is not
/// sampled only gets a traceparent with the sampled flag clear, so later hops agree instead of starting their own.
/// Off (no exporter) the only cost is one field read per request.
/// </summary>
internal sealed class ProxyTracer : IDisposable
{
    public const string SourceName = "MeshNet.Proxy";

    private readonly ActivitySource _source = new(SourceName);
    private readonly TracerProvider? _provider;
    private readonly TraceSampling _sampling;
    private readonly bool _enabled;
    private readonly string _workload;
    private readonly string _namespace;
    private readonly ConfigApplier? _applier;

    /// <param name="applier">Where the control plane's Telemetry.workload comes from once pushed, so spans name the
    /// workload as the metrics do; before that (and without it) the app label or the pod name.</param>
    public ProxyTracer(ProxyOptions options, ConfigApplier? applier = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _applier = applier;
        var tracing = options.Tracing;
        _enabled = tracing.Enabled;
        _sampling = tracing.Sampling;
        _workload = WorkloadOf(options);
        _namespace = options.Namespace;
        if (tracing.Export)
        {
            _provider = OtlpTracerProvider.Build(tracing, options, _workload);
        }
    }

    /// <summary>This sidecar's source: tests listen to exactly this instance.</summary>
    public ActivitySource Source => _source;

    /// <summary>True when spans are wanted (an exporter or a test's listener is attached).</summary>
    public bool IsActive => _enabled && _source.HasListeners();

    private string Workload => _applier?.Current.Telemetry?.Workload is { Length: > 0 } pushed ? pushed : _workload;

    /// <summary>The workload a span names for this sidecar: the app label, as a canonical service would, else the pod name.</summary>
    public static string WorkloadOf(ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Labels.TryGetValue("app.kubernetes.io/name", out var name) ? name
            : options.Labels.TryGetValue("app", out var app) ? app
            : options.Name;
    }

    /// <summary>A request from a peer sidecar (or a plaintext client): the app's parent becomes this server span.</summary>
    public Activity? StartInbound(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Begin(context, "inbound", out var format) is not { } span)
        {
            return null;
        }

        if (span.IsAllDataRequested)
        {
            AddRequestTags(span, context, "inbound");
            var peer = MeshPeer.From(context)?.Identity;
            span.AddTag(SpanTags.SourceNamespace, peer?.Namespace ?? string.Empty);
            span.AddTag(SpanTags.SourceWorkload, peer?.ServiceAccount ?? string.Empty);
            if (peer is not null)
            {
                span.AddTag(SpanTags.PeerIdentity, peer.ToString());
            }

            span.AddTag(SpanTags.DestinationWorkload, Workload);
            span.AddTag(SpanTags.DestinationNamespace, _namespace);
        }

        TracePropagation.Inject(context.Request.Headers, span.Context, format);
        return span;
    }

    /// <summary>A request from the app (or a gateway client); attempts become its children.</summary>
    public Activity? StartOutbound(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Begin(context, "outbound", out _) is not { } span)
        {
            return null;
        }

        if (span.IsAllDataRequested)
        {
            AddRequestTags(span, context, "outbound");
            span.AddTag(SpanTags.SourceWorkload, Workload);
            span.AddTag(SpanTags.SourceNamespace, _namespace);
        }

        return span;
    }

    /// <summary>The Service ("namespace/name") the route resolved to, once known.</summary>
    public static void SetDestination(Activity? span, string service)
    {
        if (span is not { IsAllDataRequested: true } || string.IsNullOrEmpty(service))
        {
            return;
        }

        var slash = service.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = slash < 0 ? (string.Empty, service) : (service[..slash], service[(slash + 1)..]);
        span.AddTag(SpanTags.DestinationService, name);
        span.AddTag(SpanTags.DestinationNamespace, ns);
        span.DisplayName = ns.Length == 0 ? $"outbound {name}" : $"outbound {name}.{ns}";
    }

    /// <summary>A client span for one attempt; the request carries it as the next hop's parent.</summary>
    /// <param name="attempt">0 for the first try, 1 for the first retry, ...</param>
    public static Activity? StartAttempt(Activity? request, HttpContext context, OutboundDestination destination, int attempt)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(destination);
        if (request is null)
        {
            return null;
        }

        var span = request.Source.StartActivity(AttemptName(request, context.Request.Method), ActivityKind.Client, request.Context);
        if (span is null)
        {
            return null;
        }

        if (span.IsAllDataRequested)
        {
            var (address, port) = SplitEndpoint(destination.Id);
            span.AddTag(SpanTags.Method, SpanTags.MethodOf(context.Request.Method));
            span.AddTag(SpanTags.UrlPath, context.Request.Path.Value);
            span.AddTag(SpanTags.ServerAddress, context.Request.Host.Host);
            span.AddTag(SpanTags.PeerAddress, address);
            span.AddTag(SpanTags.PeerPort, port);
            span.AddTag(SpanTags.DestinationEndpoint, destination.Id);
            span.AddTag(SpanTags.RetryAttempt, attempt);
            CopyTag(request, span, SpanTags.DestinationService);
            CopyTag(request, span, SpanTags.DestinationNamespace);
            if (destination.Identity.Length > 0)
            {
                span.AddTag(SpanTags.PeerIdentity, destination.Identity);
            }
        }

        context.Request.Headers.TraceParent = TracePropagation.Format(span.TraceId, span.SpanId, span.ActivityTraceFlags);
        return span;
    }

    /// <param name="status">The upstream's status (also one held back for a retry), or null when none came.</param>
    /// <param name="error">The forwarder's failure, or null.</param>
    public static void StopAttempt(Activity? span, int? status, string? error, string? meshError)
    {
        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            if (status is { } code)
            {
                span.AddTag(SpanTags.StatusCode, code);
            }

            if (meshError is not null)
            {
                span.AddTag(SpanTags.MeshError, meshError);
            }

            // A client span fails on any error status (OpenTelemetry HTTP conventions: 4xx too).
            var failure = error ?? (status is >= 400 ? status.Value.ToString(CultureInfo.InvariantCulture) : null);
            if (failure is not null)
            {
                span.AddTag(SpanTags.ErrorType, failure);
                span.SetStatus(ActivityStatusCode.Error);
            }
        }

        span.Stop();
    }

    /// <summary>Ends a server span with what the sidecar answered.</summary>
    public static void StopServer(Activity? span, HttpContext context, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            var status = exception is null || context.Response.HasStarted ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
            span.AddTag(SpanTags.StatusCode, status);
            if (context.Response.Headers[MeshHeaders.Error] is { Count: > 0 } reason)
            {
                span.AddTag(SpanTags.MeshError, reason.ToString());
            }

            // A server span fails on 5xx only: a 4xx is the client's mistake (OpenTelemetry HTTP conventions).
            if (exception is not null || status >= 500)
            {
                span.AddTag(SpanTags.ErrorType, exception?.GetType().FullName ?? status.ToString(CultureInfo.InvariantCulture));
                span.SetStatus(ActivityStatusCode.Error);
            }
        }

        span.Stop();
    }

    public void Dispose()
    {
        _provider?.Dispose();
        _source.Dispose();
    }

    /// <summary>Sampling first; an Activity only for a sampled request.</summary>
    private Activity? Begin(HttpContext context, string name, out PropagationFormat format)
    {
        var headers = context.Request.Headers;
        if (_sampling.ParentBased && TracePropagation.IsUnsampledTraceParent(headers))
        {
            // The common unsampled case downstream of the first hop: decided by one flag, nothing parsed.
            format = PropagationFormat.W3C;
            return null;
        }

        format = TracePropagation.Extract(headers, out var parent);
        if (format == PropagationFormat.None)
        {
            Span<byte> ids = stackalloc byte[24];
            Random.Shared.NextBytes(ids);
            if (!_sampling.ShouldSampleRoot(ids[..16]))
            {
                // Unsampled but not forgotten: the next hops see the decision and follow it.
                headers.TraceParent = TracePropagation.FormatUnsampled(ids[..16], ids[16..]);
                return null;
            }
        }
        else if (!_sampling.ShouldSample(parent))
        {
            if (format != PropagationFormat.W3C)
            {
                TracePropagation.Inject(headers, parent, format);
            }

            return null;
        }

        return _source.StartActivity(name, ActivityKind.Server, parent);
    }

    private static void AddRequestTags(Activity span, HttpContext context, string direction)
    {
        var request = context.Request;
        span.AddTag(SpanTags.Direction, direction);
        span.AddTag(SpanTags.Method, SpanTags.MethodOf(request.Method));
        span.AddTag(SpanTags.UrlPath, request.Path.Value);
        span.AddTag(SpanTags.UrlScheme, request.Scheme);
        span.AddTag(SpanTags.ServerAddress, request.Host.Host);
        span.AddTag(SpanTags.ServerPort, context.Connection.LocalPort);
        span.AddTag(SpanTags.PeerAddress, context.Connection.RemoteIpAddress?.ToString());
        span.AddTag(SpanTags.PeerPort, context.Connection.RemotePort);
        span.AddTag(SpanTags.ProtocolVersion, SpanTags.ProtocolVersionOf(request.Protocol));
    }

    private static string AttemptName(Activity request, string method) =>
        request.GetTagItem(SpanTags.DestinationService) is string service && request.GetTagItem(SpanTags.DestinationNamespace) is string ns
            ? $"{SpanTags.MethodOf(method)} {service}.{ns}"
            : SpanTags.MethodOf(method);

    private static void CopyTag(Activity from, Activity to, string key)
    {
        if (from.GetTagItem(key) is { } value)
        {
            to.AddTag(key, value);
        }
    }

    /// <summary>"10.0.0.1:15006" or "[fd00::1]:15006" into address and port.</summary>
    private static (string Address, int Port) SplitEndpoint(string id)
    {
        var colon = id.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(id.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (id, 0);
        }

        return (id[..colon].Trim('[', ']'), port);
    }
}
