using MeshNet.Proxy.Telemetry.Failures;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// YARP's default request copy (original Host kept, hop-by-hop headers dropped) plus the mesh target-port header.
/// One instance per distinct target port, shared by destinations, so the request path allocates nothing for it.
/// On the way back it lets the request's <see cref="OutboundExchange"/> (when it retries on status) hold back a
/// retriable response: returning false before anything is copied tells YARP to drop the response unsent.
/// </summary>
internal sealed class OutboundTransformer(string? targetPort) : HttpTransformer
{
    public static OutboundTransformer Unmeshed { get; } = new(null);

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var copy = base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        if (!copy.IsCompletedSuccessfully)
        {
            return StampAfterAsync(copy, proxyRequest);
        }

        Stamp(proxyRequest);
        return default;
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null || httpContext.Features.Get<OutboundExchange>() is not { } exchange)
        {
            return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        }

        if (exchange.HoldBackForRetry((int)proxyResponse.StatusCode))
        {
            return ValueTask.FromResult(false);
        }

        var copy = base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        return exchange.ResponseLabel is { } label ? LabelAfterAsync(copy, httpContext, label) : copy;
    }

    private static async ValueTask<bool> LabelAfterAsync(ValueTask<bool> copy, HttpContext context, string label)
    {
        var copyBody = await copy.ConfigureAwait(false);
        context.Response.Headers[MeshHeaders.Error] = label;
        RequestIds.Stamp(context);
        return copyBody;
    }

    private async ValueTask StampAfterAsync(ValueTask copy, HttpRequestMessage proxyRequest)
    {
        await copy.ConfigureAwait(false);
        Stamp(proxyRequest);
    }

    private void Stamp(HttpRequestMessage proxyRequest)
    {
        // The app must not choose the port on the far side: whatever it sent is replaced (or dropped when unmeshed).
        proxyRequest.Headers.Remove(MeshHeaders.TargetPort);
        if (targetPort is not null)
        {
            proxyRequest.Headers.TryAddWithoutValidation(MeshHeaders.TargetPort, targetPort);
        }
    }
}
