using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MeshNet.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Identity;

/// <summary>The gRPC face of <see cref="CertificateIssuer"/>: token from the request or the Bearer header, refusals as statuses.</summary>
internal sealed partial class IdentityService(CertificateIssuer issuer, ILogger<IdentityService> logger) : Protocol.V1.Identity.IdentityBase
{
    private const string BearerPrefix = "Bearer ";

    public override async Task<CertifyResponse> Certify(CertifyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var header = context.RequestHeaders.GetValue("authorization");
        var bearer = header is not null && header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? header[BearerPrefix.Length..].Trim() : null;
        if (header is not null && bearer is null)
        {
            throw Refuse(context, null, new CertifyRefusal(StatusCode.Unauthenticated, "authorization metadata is not a Bearer token"));
        }

        if (bearer is { Length: > 0 } && request.Token.Length > 0 && !string.Equals(bearer, request.Token, StringComparison.Ordinal))
        {
            throw Refuse(context, null, CertifyRefusal.Invalid("the token in the request and the Bearer token differ"));
        }

        var token = request.Token.Length > 0 ? request.Token : bearer;
        var outcome = await issuer.CertifyAsync(request.Csr.Memory, token, request.Ttl?.ToTimeSpan(), context.CancellationToken).ConfigureAwait(false);
        if (outcome.Refusal is { } refusal)
        {
            throw Refuse(context, outcome.Identity, refusal);
        }

        using var leaf = outcome.Leaf!;
        var response = new CertifyResponse
        {
            Identity = outcome.Identity,
            NotAfter = Timestamp.FromDateTime(leaf.NotAfter.ToUniversalTime()),
        };
        response.CertificateChain.Add(ByteString.CopyFrom(leaf.RawData));
        var authority = outcome.Authority!;
        response.CertificateChain.Add(authority.Intermediates.Select(c => ByteString.CopyFrom(c.RawData)));
        response.TrustBundle.Add(authority.TrustBundle.Select(c => ByteString.CopyFrom(c.RawData)));
        Log.Issued(logger, outcome.Identity!, context.Peer, leaf.SerialNumber, leaf.NotAfter.ToUniversalTime());
        return response;
    }

    private RpcException Refuse(ServerCallContext context, string? identity, CertifyRefusal refusal)
    {
        Log.Refused(logger, identity ?? "unauthenticated", context.Peer, refusal.Code, refusal.Reason);
        return new RpcException(new Status(refusal.Code, refusal.Reason));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Certify: issued {Identity} to {Peer}, serial {Serial}, valid until {NotAfter:u}")]
        public static partial void Issued(ILogger logger, string identity, string peer, string serial, DateTime notAfter);

        [LoggerMessage(2, LogLevel.Warning, "Certify: refused {Identity} from {Peer} ({Code}): {Reason}")]
        public static partial void Refused(ILogger logger, string identity, string peer, StatusCode code, string reason);
    }
}
