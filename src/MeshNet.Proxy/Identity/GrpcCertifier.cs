using System.Net.Security;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Discovery;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Interception;

namespace MeshNet.Proxy.Identity;

/// <summary>
/// The control plane's Identity.Certify over gRPC. A refusal status (the control plane looked at the request and
/// said no) becomes <see cref="CertifyRefusedException"/> with its reason; transport trouble stays an
/// <see cref="RpcException"/>. The renewer retries both: a refused token may be fixed on the control plane's side.
/// The join token never leaves over plaintext for a control plane off this host's loopback (refused before sending),
/// and over https:// the server is checked as <see cref="ControlPlaneTrust"/> says.
/// </summary>
internal sealed class GrpcCertifier : ICertifier, IDisposable
{
    // One call is a signature on the control plane: a few milliseconds. The bound only stops a black-holed control
    // plane from holding a renewal attempt open longer than the backoff between attempts.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly GrpcChannel _channel;
    private readonly string _token;
    private readonly string? _tokenFile;
    private readonly string? _plaintextRefusal;
    private readonly TimeProvider _time;

    /// <summary>The sidecar's: marked sockets (interception rules let them pass), refusals logged.</summary>
    public GrpcCertifier(ProxyOptions options, TimeProvider time, SocketMarker? marker, ControlPlaneTrust trust)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _token = options.JoinToken ?? string.Empty;
        _tokenFile = options.JoinToken is null ? options.ServiceAccountTokenFile : null;
        _plaintextRefusal = ControlPlaneTrust.PlaintextTokenRefusal(options.ControlPlane);
        _channel = GrpcChannel.ForAddress(options.ControlPlane, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                ConnectCallback = marker is null ? null : marker.ConnectHttpAsync,
                SslOptions = trust.ClientOptions() ?? new SslClientAuthenticationOptions(),
            },
            DisposeHttpClient = true,
        });
    }

    /// <summary>Outside the sidecar's DI (tests): unmarked sockets.</summary>
    public GrpcCertifier(ProxyOptions options, TimeProvider time)
        : this(options, time, marker: null, new ControlPlaneTrust(options))
    {
    }

    public async Task<IssuedCertificate> CertifyAsync(byte[] csrDer, CancellationToken cancellationToken)
    {
        if (_plaintextRefusal is not null)
        {
            throw new CertifyRefusedException(_plaintextRefusal);
        }

        var client = new MeshNet.Protocol.V1.Identity.IdentityClient(_channel);
        CertifyResponse response;
        try
        {
            // A join token travels in the request; a ServiceAccount token as the bearer, as Kubernetes clients send it.
            var headers = _tokenFile is null
                ? null
                : new Metadata { { "authorization", "Bearer " + await ReadTokenAsync(_tokenFile, cancellationToken).ConfigureAwait(false) } };
            response = await client.CertifyAsync(
                new CertifyRequest { Csr = ByteString.CopyFrom(csrDer), Token = _token },
                headers,
                deadline: (_time.GetUtcNow() + CallTimeout).UtcDateTime,
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

    /// <summary>Read afresh on every call: the kubelet replaces the projected token well before it expires.</summary>
    private static async Task<string> ReadTokenAsync(string file, CancellationToken cancellationToken)
    {
        var token = (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim();
        return token.Length > 0 ? token : throw new CertifyRefusedException($"the ServiceAccount token file {file} is empty");
    }

    public void Dispose() => _channel.Dispose();
}
