using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Transport;

/// <summary>
/// Refuses Identity.Certify over plaintext from a peer that is not on loopback (unless --grpc-plaintext any): the
/// join token and the CSR would have crossed the network in clear. The token is already spent by then, which is why
/// sidecars refuse to send one over plaintext to a non-loopback control plane in the first place; this is the
/// server's half, so a misconfigured client learns why instead of silently succeeding.
/// </summary>
internal sealed partial class CertifyTransportGuard(GrpcTransportOptions options, ILogger<CertifyTransportGuard> logger) : Interceptor
{
    private static readonly string CertifyMethod = $"/{Protocol.V1.Identity.Descriptor.FullName}/Certify";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (string.Equals(context.Method, CertifyMethod, StringComparison.Ordinal))
        {
            var http = context.GetHttpContext();
            var refusal = Refusal(options.Plaintext, http.Request.IsHttps, http.Connection.RemoteIpAddress, http.Connection.LocalIpAddress);
            if (refusal is not null)
            {
                LogRefused(logger, context.Peer, refusal);
                throw new RpcException(new Status(StatusCode.PermissionDenied, refusal));
            }
        }

        return continuation(request, context);
    }

    /// <summary>Null when Certify may proceed on this connection, else the reason sent back.</summary>
    internal static string? Refusal(PlaintextPolicy policy, bool tls, IPAddress? remote, IPAddress? local) =>
        tls || policy == PlaintextPolicy.Any || (policy == PlaintextPolicy.Loopback && LoopbackPeer.IsLoopback(remote, local))
            ? null
            : $"Certify over plaintext from the non-loopback peer {remote}: use TLS (an https:// control-plane URL and its CA bundle, --control-plane-ca)";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certify refused from {Peer}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string peer, string reason);
}
