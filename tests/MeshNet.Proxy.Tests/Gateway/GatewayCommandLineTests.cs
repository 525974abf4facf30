using System.Net;
using MeshNet.Proxy.Gateway;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Tests.Gateway;

public sealed class GatewayCommandLineTests
{
    [Fact]
    public void Parses_RepeatedExpose_InOrder()
    {
        var options = ProxyCommandLine.Parse(
            ["--expose", "127.0.100.1:80=frontend.blog:80", "--expose=127.0.0.1:30080=frontend.blog:80", "--expose", "[::1]:8443=api.shop.svc.cluster.local:8443"],
            out var error,
            out _);

        Assert.Null(error);
        Assert.Equal(
            [
                new ExposedListener(new IPEndPoint(IPAddress.Parse("127.0.100.1"), 80), "frontend.blog:80"),
                new ExposedListener(new IPEndPoint(IPAddress.Loopback, 30080), "frontend.blog:80"),
                new ExposedListener(new IPEndPoint(IPAddress.IPv6Loopback, 8443), "api.shop.svc.cluster.local:8443"),
            ],
            options!.Exposes.ToArray());
    }

    [Theory]
    [InlineData("127.0.0.1:80", "--expose: '127.0.0.1:80' is not LISTEN_ADDR:PORT=HOST:PORT")]
    [InlineData("127.0.0.1:80=", "--expose: '127.0.0.1:80=' is not LISTEN_ADDR:PORT=HOST:PORT")]
    [InlineData("localhost:80=frontend.blog:80", "--expose: 'localhost:80' is not ADDR:PORT")]
    [InlineData("127.0.0.1:80=frontend.blog", "--expose: 'frontend.blog' is not HOST:PORT (e.g. frontend.blog:80)")]
    [InlineData("127.0.0.1:80=frontend.blog:0", "--expose: 'frontend.blog:0' is not HOST:PORT (e.g. frontend.blog:80)")]
    [InlineData("127.0.0.1:15001=frontend.blog:80", "--expose 127.0.0.1:15001 and --outbound use the same port 15001")]
    public void Rejects_MalformedExpose(string value, string expected)
    {
        Assert.Null(ProxyCommandLine.Parse(["--expose", value], out var error, out _));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Rejects_SameListenerExposedTwice()
    {
        Assert.Null(ProxyCommandLine.Parse(["--expose", "127.0.0.1:80=a.b:80", "--expose", "127.0.0.1:80=c.d:80"], out var error, out _));
        Assert.Equal("--expose 127.0.0.1:80 is given twice", error);
    }

    [Fact]
    public void Accepts_OnePortOnSeveralAddresses()
    {
        var options = ProxyCommandLine.Parse(["--expose", "127.0.100.1:80=a.b:80", "--expose", "127.0.100.2:80=c.d:80"], out var error, out _);

        Assert.Null(error);
        Assert.Equal(2, options!.Exposes.Length);
    }
}
