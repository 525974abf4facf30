using System.Net.Security;
using System.Security.Authentication;
using MeshNet.Proxy.Identity;

namespace MeshNet.Proxy.Tls;

/// <summary>
/// The inbound listener's TLS settings, built per handshake from the store's current certificate so a rotation is
/// picked up by the next connection without touching connections already established.
/// </summary>
internal sealed class InboundTlsOptions(PeerCertificateValidator validator)
{
    private static readonly List<SslApplicationProtocol> Protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly RemoteCertificateValidationCallback _validate = validator.Callback("client", expectedIdentity: null);

    public SslServerAuthenticationOptions For(MeshCertificate certificate) => new()
    {
        ServerCertificateContext = certificate.ServerContext,
        EnabledSslProtocols = SslProtocols.Tls13,
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        ApplicationProtocols = Protocols,
        RemoteCertificateValidationCallback = _validate,
    };
}
