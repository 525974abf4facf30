using System.Buffers;
using System.IO.Pipelines;

namespace MeshNet.Proxy.Interception;

/// <summary>What a redirected inbound connection's first bytes say it is.</summary>
internal enum InboundProtocol
{
    /// <summary>An HTTP/1.x request line or the HTTP/2 preface: the inbound HTTP path.</summary>
    Http,

    /// <summary>A ClientHello offering <see cref="MeshTcp.Alpn"/>: a sidecar's mTLS around non-HTTP bytes.</summary>
    MeshTls,

    /// <summary>Anything else (plain TCP, a server-first protocol, the application's own TLS).</summary>
    Other,
}

/// <summary>
/// Classifies a redirected inbound connection from its first bytes, consuming none. Waits as <see cref="HttpSniffer"/>
/// does for a client-first protocol; a complete first TLS record is needed to read the ALPN offer.
/// </summary>
internal static class InboundSniffer
{
    private const byte HandshakeRecord = 0x16;

    // As HttpSniffer: a server-first protocol pays this once per connection before the app's greeting.
    private static readonly TimeSpan SniffTimeout = TimeSpan.FromMilliseconds(500);

    public static async Task<InboundProtocol> SniffAsync(PipeReader input, CancellationToken connectionClosed)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        timeout.CancelAfter(SniffTimeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var verdict = Classify(result.Buffer);
                input.AdvanceTo(result.Buffer.Start, verdict is null ? result.Buffer.End : result.Buffer.Start);
                if (verdict is { } decided)
                {
                    return decided;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return InboundProtocol.Other;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return InboundProtocol.Other;
        }
    }

    /// <summary>The verdict once decidable, null while more bytes could change it.</summary>
    internal static InboundProtocol? Classify(ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return null;
        }

        if (buffer.FirstSpan[0] == HandshakeRecord)
        {
            return TlsClientHello.OffersAlpn(buffer, MeshTcp.Alpn.Protocol.Span) switch
            {
                null => null,
                true => InboundProtocol.MeshTls,
                false => InboundProtocol.Other,
            };
        }

        return HttpSniffer.Classify(buffer) switch
        {
            null => null,
            true => InboundProtocol.Http,
            false => InboundProtocol.Other,
        };
    }
}
