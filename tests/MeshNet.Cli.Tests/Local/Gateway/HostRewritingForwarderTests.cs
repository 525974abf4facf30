using System.Net;
using System.Net.Sockets;
using System.Text;
using MeshNet.Cli.Local.Gateway;

namespace MeshNet.Cli.Tests.Local.Gateway;

public sealed class HostRewritingForwarderTests
{
    [Fact]
    public void Rewrites_HostAndAsksToCloseTheConnection()
    {
        var head = "GET /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:30080\r\nUser-Agent: curl\r\nConnection: keep-alive\r\nAccept: */*\r\n";

        var rewritten = HostRewritingForwarder.RewriteHead(head, "frontend.blog:80");

        Assert.Equal(
            "GET /a?b=1 HTTP/1.1\r\nHost: frontend.blog:80\r\nUser-Agent: curl\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            rewritten);
    }

    [Fact]
    public async Task Forwards_TheRequestWithTheServiceAsHost_AndPipesTheResponseBack()
    {
        using var upstream = new TcpListener(IPAddress.Loopback, 0);
        upstream.Start();
        using var forwarder = new HostRewritingForwarder(
            new IPEndPoint(IPAddress.Loopback, 0), (IPEndPoint)upstream.LocalEndpoint, "posts.blog:80");

        var received = ServeOnceAsync(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var response = await client.PostAsync(new Uri($"http://{forwarder.Endpoint}/submit"), new StringContent("hello"));

        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        var request = await received;
        Assert.StartsWith("POST /submit HTTP/1.1\r\nHost: posts.blog:80\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nhello", request, StringComparison.Ordinal);
    }

    private static async Task<string> ServeOnceAsync(TcpListener listener, string response)
    {
        using var socket = await listener.AcceptSocketAsync();
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().EndsWith("hello", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }

        await socket.SendAsync(Encoding.ASCII.GetBytes(response));
        socket.Shutdown(SocketShutdown.Send);
        return text.ToString();
    }
}
