using MeshNet.Proxy.Authorization;
using MeshNet.Proxy.Forwarding;
using Microsoft.Extensions.Primitives;

namespace MeshNet.Proxy.Telemetry.Metrics;

/// <summary>
/// The x-meshnet-error reasons a label may carry. An upstream (or an app) can send any value in that header, so
/// anything but MeshNet's own reasons becomes "other": a label's values must stay a small known set.
/// </summary>
internal static class ErrorLabels
{
    public const string Other = "other";

    public static string Normalize(StringValues header)
    {
        if (header.Count != 1)
        {
            return header.Count == 0 ? string.Empty : Other;
        }

        return header[0] switch
        {
            null or "" => string.Empty,
            MeshHeaders.NoRoute => MeshHeaders.NoRoute,
            MeshHeaders.NoHealthyEndpoints => MeshHeaders.NoHealthyEndpoints,
            MeshHeaders.BadTargetPort => MeshHeaders.BadTargetPort,
            MeshHeaders.NoAppPort => MeshHeaders.NoAppPort,
            MeshHeaders.UpstreamConnectFailure => MeshHeaders.UpstreamConnectFailure,
            MeshHeaders.UpstreamTimeout => MeshHeaders.UpstreamTimeout,
            MeshHeaders.UpstreamFailure => MeshHeaders.UpstreamFailure,
            MeshHeaders.Overloaded => MeshHeaders.Overloaded,
            MeshHeaders.RetryBudgetExhausted => MeshHeaders.RetryBudgetExhausted,
            InboundAuthorization.BadPath => InboundAuthorization.BadPath,
            InboundAuthorization.Denied => InboundAuthorization.Denied,
            _ => Other,
        };
    }
}
