using System.Net;
using System.Net.Sockets;
using MeshNet.Cli.Demo;

namespace MeshNet.Cli.Tests.Stat;

/// <summary>The demo's closing `meshctl stat` against a real HTTP listener standing in for the control plane.</summary>
public sealed class DemoStatsTests : IDisposable
{
    private const string Rows = """
        [{"namespace":"blog","service":"frontend","meshed":1,"requests":600,"successRate":1,"rps":20,"latencyMs":{"p50":6.4,"p95":18.75,"p99":31.2},"mtlsShare":1},
         {"namespace":"blog","service":"posts","meshed":2,"requests":600,"successRate":1,"rps":20,"latencyMs":{"p50":1.6,"p95":4.75,"p99":9.95},"mtlsShare":1}]
        """;

    private readonly StatServer _server = new(Rows);

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Prints_TheBlogTable_OnceTheFrontendCountsEveryRequestSent()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        var text = await DemoStats.FormatAsync(http, _server.Url, sent: 600, TimeSpan.FromSeconds(19.2), TimeProvider.System, CancellationToken.None);

        Assert.Equal(
            """
            meshctl stat -n blog --window 25s
            NAME       MESHED   SUCCESS   RPS       LATENCY_P50   LATENCY_P95   LATENCY_P99   MTLS
            frontend   1        100.00%   20.0rps   6.4ms         18.8ms        31.2ms        100%
            posts      2        100.00%   20.0rps   1.6ms         4.75ms        9.95ms        100%

            """.ReplaceLineEndings("\n"),
            text);
        Assert.Equal("/debug/stat?window=25s&namespace=blog", await _server.Requests.ReadAsync());
        Assert.False(_server.Requests.TryRead(out _));
    }

    [Fact]
    public async Task Says_WhyThereAreNoStats_WhenTheControlPlaneIsGone()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = new Uri($"http://{socket.LocalEndPoint}");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });

        var text = await DemoStats.FormatAsync(http, closed, sent: 10, TimeSpan.FromSeconds(20), TimeProvider.System, CancellationToken.None);

        Assert.StartsWith($"meshctl stat -n blog --window 25s\n(no stats from the control plane at {closed}: ", text, StringComparison.Ordinal);
    }
}
