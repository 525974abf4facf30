using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using MeshNet.Proxy.Authorization;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Telemetry;
using MeshNet.Proxy.Telemetry.Tracing;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// The inbound listener: delivers to the app at app-address and the port named by <c>x-meshnet-target-port</c>
/// (removed before forwarding), or the default port. Never delivers to this sidecar's own listener ports. With mTLS
/// on, the app learns who called in <see cref="MeshPeer.Header"/> (a caller cannot set it: any copy is replaced).
/// </summary>
internal sealed partial class InboundHandler : IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly ListenerEndpoints _listeners;
    private readonly ConfigApplier _applier;
    private readonly ILogger<InboundHandler> _logger;
    private readonly HttpMessageInvoker _invoker;
    private readonly IPAddress _appAddress;
    private readonly int _appPort;
    private readonly InboundAuthorization _authorization;
    private readonly bool _labelPeers;
    private readonly RequestTelemetry _telemetry;
    private readonly ProxyTracer _tracer;

    // Prefix strings per port, so a request does not format one; bounded by the ports apps actually use.
    private readonly ConcurrentDictionary<int, string> _prefixes = new();

    public InboundHandler(
        ProxyOptions options,
        IForwarderHttpClientFactory clientFactory,
        IHttpForwarder forwarder,
        ListenerEndpoints listeners,
        ConfigApplier applier,
        ICertificateSource certificates,
        RequestTelemetry telemetry,
        ProxyTracer tracer,
        ILogger<InboundHandler> logger)
    {
        _tracer = tracer;
        _telemetry = telemetry;
        _labelPeers = certificates.Enabled;
        _forwarder = forwarder;
        _listeners = listeners;
        _applier = applier;
        _logger = logger;
        _appAddress = options.AppAddress;
        _appPort = options.AppPort;
        _authorization = new InboundAuthorization(() => applier.Current.Inbound, logger);
        _invoker = clientFactory.CreateClient(new ForwarderHttpClientContext { NewConfig = HttpClientConfig.Empty });
    }

    public Task InvokeAsync(HttpContext context) => _tracer.IsActive ? TracedAsync(context) : DeliverAsync(context);

    private async Task TracedAsync(HttpContext context)
    {
        var span = _tracer.StartInbound(context);
        try
        {
            await DeliverAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ProxyTracer.StopServer(span, context, ex);
            throw;
        }

        ProxyTracer.StopServer(span, context);
    }

    private async Task DeliverAsync(HttpContext context)
    {
        var start = _telemetry.Start(context);
        try
        {
            var headers = context.Request.Headers;
            int port;
            if (InterceptedConnection.TargetPort(context) is { } redirected)
            {
                // Redirected by the interception rules: the port the peer addressed is the app port.
                headers.Remove(MeshHeaders.TargetPort);
                port = redirected;
                if (_listeners.IsOwnPort(port))
                {
                    LogBadTargetPort(_logger, port.ToString(CultureInfo.InvariantCulture));
                    OutboundHandler.Reject(context, StatusCodes.Status400BadRequest, MeshHeaders.BadTargetPort);
                    return;
                }
            }
            else if (headers.TryGetValue(MeshHeaders.TargetPort, out var values))
            {
                headers.Remove(MeshHeaders.TargetPort);
                if (values.Count != 1
                    || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out port)
                    || port is < 1 or > 65535
                    || _listeners.IsOwnPort(port))
                {
                    LogBadTargetPort(_logger, values.ToString());
                    OutboundHandler.Reject(context, StatusCodes.Status400BadRequest, MeshHeaders.BadTargetPort);
                    return;
                }
            }
            else
            {
                port = _appPort != 0 ? _appPort : (int)(_applier.Current.Inbound?.DefaultPort ?? 0);
                if (port == 0 || _listeners.IsOwnPort(port))
                {
                    LogNoAppPort(_logger);
                    OutboundHandler.Reject(context, StatusCodes.Status503ServiceUnavailable, MeshHeaders.NoAppPort);
                    return;
                }
            }

            headers.Remove(MeshPeer.Header);
            if (_labelPeers)
            {
                headers[MeshPeer.Header] = (MeshPeer.From(context) ?? MeshPeer.Plaintext).Label;
            }

            // Path normalisation and policy: refused requests are answered here (400 bad-path, 403 authz-denied).
            if (_authorization.Authorize(context, port) is not { } transformer)
            {
                return;
            }

            var prefix = _prefixes.GetOrAdd(port, static (p, address) => HostKeys.DestinationPrefix(address.ToString(), (uint)p), _appAddress);
            // Empty, not Default: copy the request as it came (original Host included) without adding X-Forwarded-*.
            var error = await _forwarder.SendAsync(context, prefix, _invoker, RequestVersions.For(context.Request), transformer).ConfigureAwait(false);
            if (error != ForwarderError.None)
            {
                ForwarderErrors.Report(context, error, prefix, _logger);
            }
        }
        finally
        {
            _telemetry.Complete(context, new RequestOutcome(TrafficDirection.Inbound, start, string.Empty));
        }
    }

    public void Dispose() => _invoker.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected inbound request with bad target port {Value}")]
    private static partial void LogBadTargetPort(ILogger logger, string value);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound request names no target port and no default app port is known")]
    private static partial void LogNoAppPort(ILogger logger);
}
