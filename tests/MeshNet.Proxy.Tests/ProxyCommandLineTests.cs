using System.Net;
using MeshNet.Proxy.Hosting;

namespace MeshNet.Proxy.Tests;

public sealed class ProxyCommandLineTests
{
    [Fact]
    public void Parses_EveryFlag()
    {
        var options = ProxyCommandLine.Parse(
        [
            "--control-plane", "http://127.0.0.1:25010", "--name", "posts-v1-0", "--namespace=blog",
            "--labels", "app=posts,version=v1", "--service-account", "posts", "--app-address", "127.0.1.4",
            "--app-port", "8080", "--port", "http=8080", "--port", "grpc=9090", "--inbound", "127.0.1.4:15006",
            "--outbound", "127.0.1.4:0", "--admin", "127.0.1.4:15000", "--readiness-path", "/healthz", "--probe-interval", "250ms",
            "--hostname", "posts-0", "--subdomain", "posts-headless",
        ], out var error, out var help);

        Assert.Null(error);
        Assert.False(help);
        Assert.NotNull(options);
        Assert.Equal(new Uri("http://127.0.0.1:25010"), options.ControlPlane);
        Assert.Equal(("posts-v1-0", "blog", "posts"), (options.Name, options.Namespace, options.ServiceAccount));
        Assert.Equal("v1", options.Labels["version"]);
        Assert.Equal(IPAddress.Parse("127.0.1.4"), options.AppAddress);
        Assert.Equal(8080, options.AppPort);
        Assert.Equal([new NamedPort("http", 8080), new NamedPort("grpc", 9090)], options.Ports.ToArray());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.1.4"), 15006), options.Inbound);
        Assert.Equal(0, options.Outbound.Port);
        Assert.Equal("/healthz", options.ReadinessPath);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ProbeInterval);
        Assert.Equal(("posts-0", "posts-headless"), (options.Hostname, options.Subdomain));
    }

    [Fact]
    public void Defaults_MatchTheRuntimeContract()
    {
        var options = ProxyCommandLine.Parse([], out _, out _)!;

        Assert.Equal(new Uri("http://127.0.0.1:15010"), options.ControlPlane);
        Assert.Equal("default", options.Namespace);
        Assert.Equal("default", options.ServiceAccount);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 15006), options.Inbound);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 15001), options.Outbound);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 15000), options.Admin);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ProbeInterval);
        Assert.Null(options.ReadinessPath);
    }

    [Theory]
    [InlineData(new[] { "--bogus", "1" }, "unknown flag '--bogus'")]
    [InlineData(new[] { "--app-port", "70000" }, "--app-port: '70000' is not a port (1-65535)")]
    [InlineData(new[] { "--inbound", "localhost:15006" }, "--inbound: 'localhost:15006' is not ADDR:PORT")]
    [InlineData(new[] { "--port", "http" }, "--port: 'http' is not NAME=PORT")]
    [InlineData(new[] { "--labels", "app" }, "--labels: 'app' is not key=value")]
    [InlineData(new[] { "--probe-interval", "soon" }, "--probe-interval: 'soon' is not a positive duration like 500ms or 1s")]
    [InlineData(new[] { "--control-plane", "grpc://x" }, "--control-plane: 'grpc://x' is not an http(s) URL")]
    [InlineData(new[] { "--name" }, "flag '--name' needs a value")]
    [InlineData(new[] { "stray" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--hostname", "Pod_0" }, "--hostname: 'Pod_0' is not a DNS label (lower-case letters, digits and '-', at most 63)")]
    [InlineData(new[] { "--admin", "127.0.0.1:15006" }, "--inbound and --admin use the same port 15006")]
    public void Rejects_BadFlag_WithClearMessage(string[] args, string expected)
    {
        var options = ProxyCommandLine.Parse(args, out var error, out _);

        Assert.Null(options);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Help_IsRecognised()
    {
        Assert.Null(ProxyCommandLine.Parse(["--app-port", "1", "--help"], out var error, out var help));
        Assert.True(help);
        Assert.Null(error);
        Assert.Contains("--readiness-path", ProxyCommandLine.Usage, StringComparison.Ordinal);
    }
}
