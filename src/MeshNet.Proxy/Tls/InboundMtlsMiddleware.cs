using System.Security.Cryptography.X509Certificates;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Identity;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.Proxy.Tls;

/// <summary>
/// mTLS and plaintext on the one inbound port. The first byte of a connection tells them apart (0x16 is a TLS
/// handshake record, RFC 8446 section 5.1; no HTTP/1.1 request or HTTP/2 preface starts with it), and the
/// workload's mode from the streamed config decides what is let through: PERMISSIVE both (plaintext labelled as
/// such), STRICT only mTLS, DISABLED only plaintext. A refused connection is closed without a byte of reply.
/// Without a join token the sidecar has no identity and the listener is plaintext, as before mTLS.
/// </summary>
internal sealed partial class InboundMtlsMiddleware(
    ICertificateSource certificates,
    ConfigApplier applier,
    InboundTlsOptions tlsOptions,
    PeerRefusals refusals,
    TimeProvider time,
    ILogger<InboundMtlsMiddleware> logger)
{
    // A TLS record's content type for a handshake (ClientHello).
    private const byte HandshakeRecord = 0x16;

    // As the h2c detector: a connection that sends nothing is bounded here, before Kestrel's own timeouts start.
    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Puts the decision in front of Kestrel's TLS middleware and lets plaintext skip it: the middleware added
    /// after TLS captures the rest of the pipeline (Kestrel builds connection middleware innermost first), which the
    /// deciding middleware, built last, calls directly for plaintext.
    /// </summary>
    public static void UseInboundMtls(ListenOptions listen)
    {
        ConnectionDelegate? afterTls = null;
        listen.Use(tls => listen.ApplicationServices.GetRequiredService<InboundMtlsMiddleware>().Decide(tls, Http2PriorKnowledgeDetector.Wrap(afterTls!)));
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => listen.ApplicationServices.GetRequiredService<InboundMtlsMiddleware>().HandshakeOptions(context),
        });
        listen.Use(next =>
        {
            afterTls = next;
            var middleware = listen.ApplicationServices.GetRequiredService<InboundMtlsMiddleware>();
            return connection => middleware.AfterHandshakeAsync(connection, next);
        });
    }

    private ConnectionDelegate Decide(ConnectionDelegate tls, ConnectionDelegate plaintext) => async connection =>
    {
        if (!certificates.Enabled)
        {
            await plaintext(connection).ConfigureAwait(false);
            return;
        }

        int first;
        try
        {
            first = await PeekFirstByteAsync(connection).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            connection.Abort(new ConnectionAbortedException("no bytes within 30s"));
            return;
        }

        if (first < 0)
        {
            return;
        }

        var mode = applier.Current.Inbound?.Mtls ?? MtlsMode.Permissive;
        if (first == HandshakeRecord)
        {
            var refusal = mode == MtlsMode.Disabled ? PeerRejection.TlsWhenDisabled
                : certificates.Current is null ? PeerRejection.NoLocalCertificate
                : null;
            if (refusal is not null)
            {
                Refuse(connection, refusal);
                return;
            }

            await tls(connection).ConfigureAwait(false);
            return;
        }

        if (mode == MtlsMode.Strict)
        {
            Refuse(connection, PeerRejection.PlaintextInStrict);
            return;
        }

        MeshPeer.Set(connection.Items, MeshPeer.Plaintext);
        await plaintext(connection).ConfigureAwait(false);
    };

    private ValueTask<System.Net.Security.SslServerAuthenticationOptions> HandshakeOptions(TlsHandshakeCallbackContext context)
    {
        // Checked before the handshake was let through; a rotation never empties the store, so this holds.
        var certificate = certificates.Current ?? throw new InvalidOperationException("no certificate to serve");
        return ValueTask.FromResult(tlsOptions.For(certificate));
    }

    /// <summary>
    /// The handshake succeeded, so the client's chain was verified, unless the session was resumed (a resumption
    /// carries the certificate of the session's first handshake without verifying it again): the identity is read
    /// from the certificate either way, a TLS connection without one is refused, and so is a resumption whose
    /// certificate has expired since.
    /// </summary>
    private async Task AfterHandshakeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var presented = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        if (PeerOf(presented) is not { } id)
        {
            Refuse(connection, PeerRejection.NoCertificate);
            return;
        }

        if (presented!.NotAfter.ToUniversalTime() < time.GetUtcNow().UtcDateTime)
        {
            Refuse(connection, PeerRejection.Expired);
            return;
        }

        MeshPeer.Set(connection.Items, new MeshPeer(id));
        await next(connection).ConfigureAwait(false);
    }

    private SpiffeId? PeerOf(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return null;
        }

        var names = SpiffeId.UriNames(certificate);
        return names.Count == 1 && SpiffeId.TryParse(names[0], out var id) && id.TrustDomain == certificates.TrustDomain ? id : null;
    }

    private void Refuse(ConnectionContext connection, string reason)
    {
        refusals.Add(reason);
        LogRefused(logger, connection.RemoteEndPoint, reason);
        connection.Abort(new ConnectionAbortedException(reason));
    }

    /// <summary>The first byte without consuming it; -1 when the connection closed before sending any.</summary>
    private static async Task<int> PeekFirstByteAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(FirstByteTimeout);
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                var first = buffer.FirstSpan[0];
                input.AdvanceTo(buffer.Start, buffer.Start);
                return first;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return -1;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused inbound connection from {Remote}: {Reason}")]
    private static partial void LogRefused(ILogger logger, System.Net.EndPoint? remote, string reason);
}
