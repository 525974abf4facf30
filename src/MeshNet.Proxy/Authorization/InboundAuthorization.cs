using MeshNet.Protocol.V1;
using MeshNet.Proxy.Telemetry.Failures;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Authorization;

/// <summary>
/// The inbound listener's gate, run once the target port is known: normalises the path (400 <c>bad-path</c> when it is
/// ambiguous), judges the request against this sidecar's policies (403 <c>authz-denied</c>, logged with the policy and
/// the caller), and hands back the transformer that sends the app exactly the path that was authorised.
/// </summary>
internal sealed partial class InboundAuthorization
{
    public const string BadPath = "bad-path";
    public const string Denied = "authz-denied";

    private readonly Func<Inbound?> _currentInbound;
    private readonly ILogger _logger;

    // The policies compiled for the Inbound instance they came from; a new config brings a new instance.
    private Compiled _compiled = new(null, InboundPolicies.Open);

    /// <param name="currentInbound">The applied config's Inbound (null before the first config).</param>
    public InboundAuthorization(Func<Inbound?> currentInbound, ILogger logger)
    {
        _currentInbound = currentInbound;
        _logger = logger;
    }

    /// <summary>
    /// The transformer to forward with, or null when the request was refused (the response status and
    /// <c>x-meshnet-error</c> are set).
    /// </summary>
    public HttpTransformer? Authorize(HttpContext context, int port)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var verdict = NormalizeTarget(rawTarget, out var path, context.Request.Path.Value);
        if (verdict != PathVerdict.Normalized)
        {
            LogBadPath(_logger, verdict, context.Request.Method);
            Reject(context, StatusCodes.Status400BadRequest, BadPath, $"ambiguous path ({verdict})");
            return null;
        }

        if (context.Request.Host.HasValue)
        {
            var host = RequestPathNormalizer.NormalizeHost(context.Request.Host.Value);
            if (!ReferenceEquals(host, context.Request.Host.Value))
            {
                context.Request.Host = new HostString(host);
            }
        }

        var policies = PoliciesFor(_currentInbound());
        if (!policies.AllowsEverything)
        {
            var principal = PeerIdentity.Of(context);
            var decision = policies.Decide(new AuthorizationRequest(principal, PeerIdentity.NamespaceOf(principal), port, context.Request.Method, path));
            if (!decision.Allowed)
            {
                LogDenied(_logger, context.Request.Method, path, port, principal ?? PeerIdentity.Plaintext, decision.Policy ?? string.Empty);
                Reject(context, StatusCodes.Status403Forbidden, Denied, $"denied by policy {decision.Policy} (caller {principal ?? PeerIdentity.Plaintext})");
                return null;
            }
        }

        AuthorizedPathTransformer.Remember(context, path);
        return AuthorizedPathTransformer.Instance;
    }

    /// <summary>
    /// Whether a connection that is not HTTP may be passed to the app's <paramref name="port"/>; a denied one is logged
    /// and the caller should close it.
    /// </summary>
    public bool AuthorizeConnection(string? principal, int port)
    {
        var policies = PoliciesFor(_currentInbound());
        if (policies.AllowsEverything)
        {
            return true;
        }

        var decision = policies.DecideConnection(principal, PeerIdentity.NamespaceOf(principal), port);
        if (!decision.Allowed)
        {
            LogConnectionDenied(_logger, port, principal ?? PeerIdentity.Plaintext, decision.Policy ?? string.Empty);
        }

        return decision.Allowed;
    }

    /// <summary>The path of an origin-form or absolute-form target ("*" for OPTIONS * stays as it is).</summary>
    /// <param name="decodedPath">Kestrel's decoded path: equal to the raw one when nothing was encoded, so the string
    /// can be reused instead of cutting the query off a new one.</param>
    internal static PathVerdict NormalizeTarget(string rawTarget, out string path, string? decodedPath = null)
    {
        if (rawTarget.Contains('#', StringComparison.Ordinal))
        {
            path = rawTarget;
            return PathVerdict.Fragment;
        }

        var target = rawTarget.AsSpan();
        if (target is "*")
        {
            path = rawTarget;
            return PathVerdict.Normalized;
        }

        if (target.Length > 0 && target[0] != '/')
        {
            // Absolute form ("http://host/path"): the path starts at the first '/' after the authority.
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme < 0)
            {
                path = rawTarget;
                return PathVerdict.Malformed;
            }

            var afterAuthority = target[(scheme + 3)..].IndexOfAny('/', '?');
            target = afterAuthority < 0 ? [] : target[(scheme + 3 + afterAuthority)..];
        }

        var query = target.IndexOf('?');
        var pathPart = query < 0 ? target : target[..query];
        var candidate = pathPart.Length == rawTarget.Length ? rawTarget
            : decodedPath is not null && pathPart.SequenceEqual(decodedPath) ? decodedPath
            : pathPart.ToString();
        return RequestPathNormalizer.Normalize(candidate, out path);
    }

    private InboundPolicies PoliciesFor(Inbound? inbound)
    {
        var compiled = Volatile.Read(ref _compiled);
        if (ReferenceEquals(compiled.Source, inbound))
        {
            return compiled.Policies;
        }

        // Racing requests may compile the same config twice; both results are equal, so either may stay.
        compiled = new Compiled(inbound, InboundPolicies.Compile(inbound));
        Volatile.Write(ref _compiled, compiled);
        return compiled.Policies;
    }

    private static void Reject(HttpContext context, int status, string reason, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-meshnet-error"] = reason;
        RequestIds.Stamp(context, detail);
    }

    private sealed record Compiled(Inbound? Source, InboundPolicies Policies);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected inbound {Method} request with an ambiguous path ({Verdict})")]
    private static partial void LogBadPath(ILogger logger, PathVerdict verdict, string method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed a connection to port {Port} from {Caller}: denied by policy {Policy}")]
    private static partial void LogConnectionDenied(ILogger logger, int port, string caller, string policy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Denied {Method} {Path} to port {Port} from {Caller} by policy {Policy}")]
    private static partial void LogDenied(ILogger logger, string method, string path, int port, string caller, string policy);
}
