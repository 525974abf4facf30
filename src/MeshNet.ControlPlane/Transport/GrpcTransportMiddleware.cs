using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Transport;

/// <summary>
/// TLS and plaintext h2c on the one gRPC port, told apart by the first byte as the sidecar's inbound listener does
/// (0x16 opens a TLS handshake record, RFC 8446 section 5.1; the HTTP/2 preface starts with 'P'). TLS connections
/// get the serving certificate in force at their handshake; plaintext ones pass unless --grpc-plaintext none.
/// </summary>
internal sealed partial class GrpcTransportMiddleware(ServingCertificate serving, GrpcTransportOptions options, ILogger<GrpcTransportMiddleware> logger)
{
    private const byte HandshakeRecord = 0x16;

    // A client that connects and says nothing is bounded here, before Kestrel's own timeouts start.
    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(10);

    private static readonly List<SslApplicationProtocol> Http2Only = [SslApplicationProtocol.Http2];

    /// <summary>
    /// The deciding middleware goes in front of Kestrel's TLS middleware and hands plaintext straight to what follows
    /// TLS (captured by the last middleware: Kestrel builds connection middleware innermost first).
    /// </summary>
    public static void UseGrpcTransport(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ConnectionDelegate? afterTls = null;
        listen.Use(tls =>
        {
            var middleware = listen.ApplicationServices.GetRequiredService<GrpcTransportMiddleware>();
            return connection => middleware.DecideAsync(connection, tls, afterTls!);
        });
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(listen.ApplicationServices.GetRequiredService<GrpcTransportMiddleware>().HandshakeOptions()),
        });
        listen.Use(next =>
        {
            afterTls = next;
            return next;
        });
    }

    private SslServerAuthenticationOptions HandshakeOptions() => new()
    {
        ServerCertificateContext = serving.Current.Context,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ApplicationProtocols = Http2Only,
        ClientCertificateRequired = false,
    };

    private async Task DecideAsync(ConnectionContext connection, ConnectionDelegate tls, ConnectionDelegate plaintext)
    {
        int first;
        try
        {
            first = await PeekFirstByteAsync(connection).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            connection.Abort(new ConnectionAbortedException("no bytes within 10s"));
            return;
        }

        if (first < 0)
        {
            return;
        }

        if (first == HandshakeRecord)
        {
            await tls(connection).ConfigureAwait(false);
            return;
        }

        if (options.Plaintext == PlaintextPolicy.None)
        {
            LogPlaintextRefused(logger, connection.RemoteEndPoint);
            connection.Abort(new ConnectionAbortedException("plaintext refused: --grpc-plaintext none"));
            return;
        }

        await plaintext(connection).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "gRPC: closed a plaintext connection from {Remote} (--grpc-plaintext none)")]
    private static partial void LogPlaintextRefused(ILogger logger, EndPoint? remote);
}
