using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using System.Security.Cryptography.X509Certificates;

namespace MeshNet.Proxy.Hosting;

/// <summary>
/// Lets one cleartext port serve HTTP/1.1 and h2c with prior knowledge (RFC 9113 section 3.3), which Kestrel does not
/// do by itself: on an Http1AndHttp2 endpoint without TLS it always picks HTTP/1.1 (dotnet/aspnetcore#56984).
/// Kestrel chooses HTTP/2 when the connection carries a TLS application protocol of "h2", so this connection
/// middleware peeks at the first bytes and, when they are the HTTP/2 client preface, presents that feature. It
/// consumes nothing: HTTP/1.1 or HTTP/2 parsing then starts from the first byte. Kestrel would treat such a
/// connection's scheme as https, so the listener must set <see cref="KestrelServerOptions.AllowAlternateSchemes"/>
/// to take the client's ":scheme: http" instead. No handshake feature is set, so Kestrel's TLS checks for HTTP/2
/// (protocol version, cipher) do not apply.
/// </summary>
internal static class Http2PriorKnowledgeDetector
{
    // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    // Kestrel's request-header timeouts start only after this middleware, so a client that connects and sends
    // nothing is bounded here instead, with the same budget as Kestrel's default RequestHeadersTimeout.
    private static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(30);

    public static void UseHttp2PriorKnowledgeDetection(this ListenOptions listen) => listen.Use(Wrap);

    /// <summary>The detection in front of <paramref name="next"/>, for listeners that branch before it (mTLS).</summary>
    public static ConnectionDelegate Wrap(ConnectionDelegate next) =>
        async connection =>
        {
            bool isHttp2;
            try
            {
                isHttp2 = await StartsWithPrefaceAsync(connection).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                connection.Abort(new ConnectionAbortedException("no request bytes within 30s"));
                return;
            }

            if (isHttp2)
            {
                connection.Features.Set<ITlsConnectionFeature>(CleartextHttp2.Instance);
                connection.Features.Set<ITlsApplicationProtocolFeature>(CleartextHttp2.Instance);
            }

            await next(connection).ConfigureAwait(false);
        };

    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(FirstBytesTimeout);
        while (true)
        {
            var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            var verdict = Compare(buffer);
            // Consume nothing. While undecided, mark everything examined so the next read waits for more bytes.
            input.AdvanceTo(buffer.Start, verdict is null ? buffer.End : buffer.Start);
            if (verdict is { } decided)
            {
                return decided;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return false;
            }
        }
    }

    /// <summary>True or false once decidable, null while the bytes so far are a proper prefix of the preface.</summary>
    internal static bool? Compare(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        Span<byte> head = stackalloc byte[Preface.Length];
        buffer.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(Preface[..length]))
        {
            return false;
        }

        return length == Preface.Length ? true : null;
    }

    private sealed class CleartextHttp2 : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public static CleartextHttp2 Instance { get; } = new();

        public ReadOnlyMemory<byte> ApplicationProtocol { get; } = "h2"u8.ToArray();

        public X509Certificate2? ClientCertificate
        {
            get => null;
            set => throw new NotSupportedException("a cleartext connection has no client certificate");
        }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
