using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Identity;

/// <summary>
/// The control plane's Identity.Certify over gRPC. A refusal status (the control plane looked at the request and
/// said no) becomes <see cref="CertifyRefusedException"/> with its reason; transport trouble stays an
/// <see cref="RpcException"/>. The renewer retries both: a refused token may be fixed on the control plane's side.
/// </summary>
internal sealed class GrpcCertifier(ProxyOptions options, TimeProvider time) : ICertifier, IDisposable
{
    // One call is a signature on the control plane: a few milliseconds. The bound only stops a black-holed control
    // plane from holding a renewal attempt open longer than the backoff between attempts.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(options.ControlPlane);
    private readonly string _token = options.JoinToken ?? string.Empty;

    public async Task<IssuedCertificate> CertifyAsync(byte[] csrDer, CancellationToken cancellationToken)
    {
        var client = new MeshNet.Protocol.V1.Identity.IdentityClient(_channel);
        CertifyResponse response;
        try
        {
            response = await client.CertifyAsync(
                new CertifyRequest { Csr = ByteString.CopyFrom(csrDer), Token = _token },
                deadline: (time.GetUtcNow() + CallTimeout).UtcDateTime,
                cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument or StatusCode.FailedPrecondition)
        {
            throw new CertifyRefusedException($"{ex.StatusCode}: {ex.Status.Detail}");
        }

        return new IssuedCertificate(
            response.CertificateChain.Select(c => c.ToByteArray()).ToArray(),
            response.TrustBundle.Select(c => c.ToByteArray()).ToArray());
    }

    public void Dispose() => _channel.Dispose();
}
