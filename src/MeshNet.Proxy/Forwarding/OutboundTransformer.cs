using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// YARP's default request copy (original Host kept, hop-by-hop headers dropped) plus the mesh target-port header.
/// One instance per distinct target port, shared by destinations, so the request path allocates nothing for it.
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
