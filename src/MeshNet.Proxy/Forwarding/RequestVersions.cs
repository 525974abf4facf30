using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// The next hop speaks the version the client spoke: HTTP/2 goes out as h2c with prior knowledge (exact, since
/// cleartext has no ALPN to negotiate), HTTP/1.x stays HTTP/1.1.
/// </summary>
internal static class RequestVersions
{
    // How long a request or stream may go without any bytes either way before it is cut: Envoy's default stream
    // idle timeout, long enough for quiet gRPC streams (YARP's own default, 100 s, is not).
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(5);

    private static readonly Configs Default = Create(IdleTimeout);

    // Per idle timeout a policy sets: as many entries as distinct values in the config, a handful.
    private static readonly ConcurrentDictionary<TimeSpan, Configs> ByIdleTimeout = new();

    private static volatile Configs? _last;

    public static ForwarderRequestConfig For(HttpRequest request) => For(request, null);

    /// <param name="idleTimeout">A cluster's idle timeout (silence allowed on a request in flight), or null for the default.</param>
    public static ForwarderRequestConfig For(HttpRequest request, TimeSpan? idleTimeout)
    {
        var configs = idleTimeout is { } idle ? ForIdleTimeout(idle) : Default;
        return HttpProtocol.IsHttp2(request.Protocol) ? configs.Http2 : configs.Http11;
    }

    // Nearly every cluster sends the same idle timeout: the last one found answers without a dictionary lookup.
    private static Configs ForIdleTimeout(TimeSpan idle)
    {
        var last = _last;
        if (last is not null && last.IdleTimeout == idle)
        {
            return last;
        }

        var found = ByIdleTimeout.GetOrAdd(idle, Create);
        _last = found;
        return found;
    }

    private sealed record Configs(TimeSpan IdleTimeout, ForwarderRequestConfig Http11, ForwarderRequestConfig Http2);

    private static Configs Create(TimeSpan activityTimeout) => new(
        activityTimeout,
        new ForwarderRequestConfig
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            ActivityTimeout = activityTimeout,
        },
        new ForwarderRequestConfig
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            ActivityTimeout = activityTimeout,
        });
}
