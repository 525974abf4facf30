using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using MeshNet.Proxy.Interception;
using MeshNet.Proxy.Tests.Tls;

namespace MeshNet.Proxy.Tests.Interception;

/// <summary>
/// The pieces of mesh TCP that need no network namespace: recognising a sidecar's ClientHello among other first
/// bytes, and relaying with half-close through real TLS streams. The netns tests run it end to end.
/// </summary>
public sealed class MeshTcpTests
{
    [Fact]
    public async Task Recognises_AMeshTcpClientHello_ByItsAlpn()
    {
        var hello = await ClientHelloAsync(MeshTcp.Alpn);

        Assert.Equal(InboundProtocol.MeshTls, InboundSniffer.Classify(new ReadOnlySequence<byte>(hello)));
        Assert.Equal(["meshnet-tcp"], TlsClientHello.Alpn(hello.AsSpan(5)).Select(n => Encoding.ASCII.GetString(n)));
    }

    [Fact]
    public async Task Leaves_TheApplicationsOwnTls_ToTheApp()
    {
        var h2 = await ClientHelloAsync(SslApplicationProtocol.Http2);
        var none = await ClientHelloAsync(alpn: null);

        Assert.Equal(InboundProtocol.Other, InboundSniffer.Classify(new ReadOnlySequence<byte>(h2)));
        Assert.Equal(InboundProtocol.Other, InboundSniffer.Classify(new ReadOnlySequence<byte>(none)));
    }

    [Fact]
    public async Task Waits_ForTheWholeFirstRecord()
    {
        var hello = await ClientHelloAsync(MeshTcp.Alpn);

        Assert.Null(InboundSniffer.Classify(new ReadOnlySequence<byte>(hello, 0, 1)));
        Assert.Null(InboundSniffer.Classify(new ReadOnlySequence<byte>(hello, 0, 4)));
        Assert.Null(InboundSniffer.Classify(new ReadOnlySequence<byte>(hello, 0, hello.Length - 1)));
        Assert.Equal(InboundProtocol.MeshTls, InboundSniffer.Classify(Split(hello, 3, 40)));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", "Http")]
    [InlineData("PRI * HTTP/2.0\r\n", "Http")]
    [InlineData("ping", "Other")]
    [InlineData("\u0016\u0002\u0000\u0001x", "Other")] // not TLS 1.x framing
    [InlineData("\u0016\u0003\u0001\u0000\u0000", "Other")] // empty record
    public void Classifies_OtherFirstBytes(string bytes, string expected) =>
        Assert.Equal(Enum.Parse<InboundProtocol>(expected), InboundSniffer.Classify(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(bytes))));

    [Fact]
    public async Task Relays_BothWays_WithHalfClose_ThroughTls()
    {
        using var ca = new TestCa();
        using var serverCertificate = ca.Issue("spiffe://cluster.local/ns/blog/sa/echo");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptTcpClientAsync();
        await using var serverTls = new SslStream(accepted.GetStream());
        await using var clientTls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await Task.WhenAll(
            serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = serverCertificate, EnabledSslProtocols = SslProtocols.Tls13, ApplicationProtocols = MeshTcp.Protocols }),
            clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "echo", EnabledSslProtocols = SslProtocols.Tls13, ApplicationProtocols = MeshTcp.Protocols }));

        // The "app" behind the relay: a plain socket pair whose far end echoes once the relay half-closes it.
        var (relayEnd, appEnd) = await SocketPairAsync();
        var app = Task.Run(async () =>
        {
            await using var stream = new NetworkStream(appEnd, ownsSocket: true);
            using var received = new MemoryStream();
            await stream.CopyToAsync(received);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("echo:" + Encoding.ASCII.GetString(received.ToArray())));
            appEnd.Shutdown(SocketShutdown.Send);
        });
        await using var appStream = new NetworkStream(relayEnd, ownsSocket: true);
        var relay = StreamRelay.RunAsync(
            new StreamRelay.Side(serverTls, serverTls.ShutdownAsync),
            new StreamRelay.Side(appStream, () => { relayEnd.Shutdown(SocketShutdown.Send); return Task.CompletedTask; }));

        await clientTls.WriteAsync("ping"u8.ToArray());
        await clientTls.ShutdownAsync();
        var answer = await new StreamReader(clientTls).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("echo:ping", answer);
        Assert.True(await relay.WaitAsync(TimeSpan.FromSeconds(10)));
        await app;
    }

    /// <summary>The first TLS record a .NET client sends, offering <paramref name="alpn"/> (nothing when null).</summary>
    private static async Task<byte[]> ClientHelloAsync(SslApplicationProtocol? alpn)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptTcpClientAsync();
        var tls = new SslStream(client.GetStream());
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "10.0.0.5",
            ApplicationProtocols = alpn is { } protocol ? [protocol] : null,
        });

        var stream = accepted.GetStream();
        var header = new byte[5];
        await stream.ReadExactlyAsync(header);
        var record = new byte[5 + ((header[3] << 8) | header[4])];
        header.CopyTo(record, 0);
        await stream.ReadExactlyAsync(record.AsMemory(5));
        accepted.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        await tls.DisposeAsync();
        return record;
    }

    private static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var segments = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts.Append(bytes.Length))
        {
            segments.Add(bytes[start..cut]);
            start = cut;
        }

        var first = new Segment(segments[0], 0);
        var last = first;
        foreach (var segment in segments.Skip(1))
        {
            last = last.Append(segment);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static async Task<(Socket A, Socket B)> SocketPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await a.ConnectAsync(listener.LocalEndpoint);
        var b = await listener.AcceptSocketAsync();
        return (a, b);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
