using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Interception;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tls;

/// <summary>
/// The forwarder's connect callback: a (marked) TCP connection, wrapped in TLS 1.3 when the destination endpoint has
/// an identity. The client presents this sidecar's current leaf and accepts only a server whose chain ends in the
/// trust bundle and whose URI SAN is exactly the identity the control plane named. A refused server fails the
/// attempt as a connect failure (so the caller's retry picks another endpoint). The request URI stays http://, so
/// connections are pooled per destination as before; new connections pick up a rotated certificate and existing ones
/// keep theirs. TLS sessions are resumed (the default of <see cref="SslClientAuthenticationOptions.AllowTlsResume"/>).
/// </summary>
internal sealed partial class OutboundTlsConnector(
    SocketMarker marker,
    ICertificateSource certificates,
    EndpointIdentities identities,
    PeerCertificateValidator validator,
    PeerRefusals refusals,
    ILogger<OutboundTlsConnector> logger)
{
    private static readonly List<SslApplicationProtocol> Http2 = [SslApplicationProtocol.Http2];
    private static readonly List<SslApplicationProtocol> Http11 = [SslApplicationProtocol.Http11];

    /// <summary>Whether the handler needs this callback at all (else it keeps SocketsHttpHandler's own connect).</summary>
    public bool IsNeeded => marker.Mark != 0 || certificates.Enabled;

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var stream = await marker.ConnectHttpAsync(context, cancellationToken).ConfigureAwait(false);
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var identity = certificates.Enabled ? identities.For(host, port) : null;
        if (identity is null)
        {
            return stream;
        }

        var certificate = certificates.Current;
        if (certificate is null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            refusals.Add(PeerRejection.NoLocalCertificate);
            LogNoCertificate(logger, host, port, identity);
            throw new IOException($"{PeerRejection.NoLocalCertificate}: no certificate yet to present to {identity}");
        }

        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var version = context.InitialRequestMessage.Version;
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    ClientCertificateContext = certificate.ServerContext,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ApplicationProtocols = version.Major >= 2 ? Http2 : Http11,
                    CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = validator.Callback("server", identity),
                    AllowTlsResume = true,
                },
                cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch (AuthenticationException ex)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            // SocketsHttpHandler reports an AuthenticationException from the callback as a secure-connection error;
            // for the mesh a peer that cannot prove its identity is an endpoint that could not be connected to.
            throw new IOException($"mTLS to {host}:{port} ({identity}) failed: {ex.Message}", ex);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot originate mTLS to {Host}:{Port} ({Identity}): this sidecar has no certificate yet")]
    private static partial void LogNoCertificate(ILogger logger, string host, int port, string identity);
}
