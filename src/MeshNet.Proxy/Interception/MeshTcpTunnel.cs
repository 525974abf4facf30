using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MeshNet.Proxy.Identity;
using MeshNet.Proxy.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Both ends of mesh mTLS around intercepted non-HTTP bytes (<see cref="MeshTcp"/>): the client sidecar originates
/// TLS 1.3 with its leaf and demands the destination's identity, the server sidecar terminates it, requires a client
/// certificate from the trust bundle and hands the caller's SPIFFE ID to L4 authorization. The certificate checks are
/// <see cref="PeerCertificateValidator"/>'s, as for HTTP.
/// </summary>
internal sealed partial class MeshTcpTunnel(
    ICertificateSource certificates,
    PeerCertificateValidator validator,
    PeerRefusals refusals,
    SocketMarker marker,
    TimeProvider time,
    ILogger<MeshTcpTunnel> logger)
{
    // A handshake is two round trips on a pod network; this only bounds a peer that stalls mid-handshake.
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    // Same reasoning as the passthrough's: a live destination answers in well under a second.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly RemoteCertificateValidationCallback _validateClient = validator.Callback("client", expectedIdentity: null);

    /// <summary>
    /// Terminates the mTLS a redirected inbound connection opened. Null when it was refused (the connection is
    /// aborted, the reason counted and logged): no certificate here, a failed handshake, or no usable peer identity.
    /// </summary>
    public async Task<Session?> AcceptAsync(ConnectionContext connection)
    {
        if (certificates.Current is not { } current)
        {
            Refuse(connection, PeerRejection.NoLocalCertificate);
            return null;
        }

        var tls = new SslStream(new DuplexPipeStream(connection.Transport), leaveInnerStreamOpen: false);
        // Not linked to ConnectionClosed: Kestrel fires it at the client's FIN, and a client may half-close right
        // after its first bytes. A peer that really went away fails the read instead.
        using var timeout = new CancellationTokenSource(HandshakeTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = current.ServerContext,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    ClientCertificateRequired = true,
                    ApplicationProtocols = MeshTcp.Protocols,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = _validateClient,
                },
                timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            // The validator counted and logged a certificate refusal; anything else is a broken handshake.
            await tls.DisposeAsync().ConfigureAwait(false);
            LogHandshakeFailed(logger, "inbound", connection.RemoteEndPoint, ex.Message);
            connection.Abort(new ConnectionAbortedException("mesh TCP handshake failed"));
            return null;
        }

        var peer = PeerOf(tls.RemoteCertificate);
        var refusal = tls.NegotiatedApplicationProtocol != MeshTcp.Alpn ? PeerRejection.NoCertificate
            : peer is null ? PeerRejection.NoCertificate
            : peer.Value.NotAfter < time.GetUtcNow() ? PeerRejection.Expired
            : null;
        if (refusal is not null)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            Refuse(connection, refusal);
            return null;
        }

        return new Session(tls, peer!.Value.Id);
    }

    /// <summary>Pipes an accepted session to the app's port until both directions end.</summary>
    public async Task RelayToAppAsync(ConnectionContext connection, Session session, IPEndPoint app)
    {
        Socket upstream;
        try
        {
            upstream = await ConnectAsync(app).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            LogConnectFailed(logger, app, ex.Message);
            connection.Abort(new ConnectionAbortedException("app port unreachable"));
            return;
        }

        using (upstream)
        await using (var appStream = new NetworkStream(upstream, ownsSocket: false))
        {
            var clean = await StreamRelay.RunAsync(
                new StreamRelay.Side(session.Stream, session.Stream.ShutdownAsync),
                new StreamRelay.Side(appStream, () => ShutdownSend(upstream))).ConfigureAwait(false);
            if (!clean)
            {
                connection.Abort(new ConnectionAbortedException("mesh TCP relay ended by an error"));
            }
        }
    }

    /// <summary>
    /// Wraps an intercepted outbound connection to a meshed pod in mTLS to <paramref name="destination"/> (its original
    /// IP:port), accepting only a server that proves <paramref name="identity"/>.
    /// </summary>
    public async Task OriginateAsync(ConnectionContext connection, IPEndPoint destination, string identity)
    {
        if (certificates.Current is not { } current)
        {
            refusals.Add(PeerRejection.NoLocalCertificate);
            LogNoCertificate(logger, destination, identity);
            connection.Abort(new ConnectionAbortedException("no certificate yet for mesh TCP"));
            return;
        }

        Socket socket;
        try
        {
            socket = await ConnectAsync(destination).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            LogConnectFailed(logger, destination, ex.Message);
            connection.Abort(new ConnectionAbortedException("mesh TCP destination unreachable"));
            return;
        }

        await OriginateOverAsync(connection, socket, destination, identity).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="OriginateAsync"/> over an already connected (marked) <paramref name="socket"/>, which it owns from
    /// here: the caller chose and dialled the endpoint (a Service's connection balanced at L4).
    /// </summary>
    public async Task OriginateOverAsync(ConnectionContext connection, Socket socket, IPEndPoint destination, string identity)
    {
        if (certificates.Current is not { } current)
        {
            socket.Dispose();
            refusals.Add(PeerRejection.NoLocalCertificate);
            LogNoCertificate(logger, destination, identity);
            connection.Abort(new ConnectionAbortedException("no certificate yet for mesh TCP"));
            return;
        }

        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using (var timeout = new CancellationTokenSource(HandshakeTimeout))
        {
            try
            {
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = destination.Address.ToString(),
                        ClientCertificateContext = current.ServerContext,
                        EnabledSslProtocols = SslProtocols.Tls13,
                        ApplicationProtocols = MeshTcp.Protocols,
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        RemoteCertificateValidationCallback = validator.Callback("server", identity),
                    },
                    timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
            {
                LogHandshakeFailed(logger, "outbound", destination, ex.Message);
                connection.Abort(new ConnectionAbortedException("mesh TCP handshake failed"));
                return;
            }
        }

        LogOriginated(logger, destination, identity);
        await using var client = new DuplexPipeStream(connection.Transport);
        var clean = await StreamRelay.RunAsync(
            new StreamRelay.Side(client, () => connection.Transport.Output.CompleteAsync().AsTask()),
            new StreamRelay.Side(tls, tls.ShutdownAsync)).ConfigureAwait(false);
        if (!clean)
        {
            connection.Abort(new ConnectionAbortedException("mesh TCP relay ended by an error"));
        }
    }

    /// <summary>
    /// A marked connection. Bounded by time only: the app may already have half-closed (Kestrel's ConnectionClosed
    /// fires at its FIN), and its bytes still have to be delivered.
    /// </summary>
    private async Task<Socket> ConnectAsync(IPEndPoint destination)
    {
        using var connect = new CancellationTokenSource(ConnectTimeout);
        return await marker.ConnectAsync(destination, connect.Token).ConfigureAwait(false);
    }

    private static Task ShutdownSend(Socket socket)
    {
        socket.Shutdown(SocketShutdown.Send);
        return Task.CompletedTask;
    }

    private (SpiffeId Id, DateTimeOffset NotAfter)? PeerOf(X509Certificate? presented)
    {
        if (presented is null)
        {
            return null;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        var names = SpiffeId.UriNames(certificate);
        return names.Count == 1 && SpiffeId.TryParse(names[0], out var id) && id.TrustDomain == certificates.TrustDomain
            ? (id, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero))
            : null;
    }

    private void Refuse(ConnectionContext connection, string reason)
    {
        refusals.Add(reason);
        LogRefused(logger, connection.RemoteEndPoint, reason);
        connection.Abort(new ConnectionAbortedException(reason));
    }

    /// <summary>An accepted mesh TCP connection: the decrypted stream and who is on the other end.</summary>
    internal sealed class Session(SslStream stream, SpiffeId peer) : IAsyncDisposable
    {
        public SslStream Stream { get; } = stream;

        public SpiffeId Peer { get; } = peer;

        public ValueTask DisposeAsync() => Stream.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused mesh TCP connection from {Remote}: {Reason}")]
    private static partial void LogRefused(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh TCP handshake ({Direction}) with {Peer} failed: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string direction, EndPoint? peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh TCP to {Destination} failed to connect: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, IPEndPoint destination, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot originate mesh TCP to {Destination} ({Identity}): this sidecar has no certificate yet")]
    private static partial void LogNoCertificate(ILogger logger, IPEndPoint destination, string identity);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mesh TCP to {Destination} as mTLS with {Identity}")]
    private static partial void LogOriginated(ILogger logger, IPEndPoint destination, string identity);
}
