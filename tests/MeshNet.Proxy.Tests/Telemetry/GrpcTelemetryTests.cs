using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Echo;
using MeshNet.Proxy.Tests.Infrastructure;

namespace MeshNet.Proxy.Tests.Telemetry;

public sealed class GrpcTelemetryTests
{
    [Fact]
    public async Task GrpcCallsKeepTheirTrailers_WithTheAccessLogOn_AndAreCountedByHttpStatus()
    {
        await using var backend = await Backend.StartAsync("echo-1");
        await using var sidecar = await MetricsSidecar.StartAsync();
        var cluster = MeshConfig.Cluster("blog", "echo", 9090, MeshConfig.Plain(backend.Port));
        cluster.AppProtocol = "grpc";
        await sidecar.ApplyAsync("v1", new Protocol.V1.Telemetry { Workload = "frontend", AccessLog = AccessLogFormat.AccessLogJson }, cluster);

        using var channel = GrpcChannel.ForAddress("http://echo.blog:9090", new GrpcChannelOptions { HttpHandler = Connector(sidecar.OutboundPort) });
        var client = new Echo.Echo.EchoClient(channel);
        var call = client.SayAsync(new EchoRequest { Text = "hello" });
        Assert.Equal("hello", (await call).Text);
        Assert.Equal("echo-1", call.GetTrailers().GetValue("x-served-by"));
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await client.SayAsync(new EchoRequest { FailWith = "no such post" }));
        Assert.Equal(StatusCode.NotFound, failure.StatusCode);

        using var first = JsonDocument.Parse(await sidecar.NextAccessLogLineAsync());
        Assert.Equal(("HTTP/2", "/meshnet.tests.Echo/Say"), (first.RootElement.GetProperty("protocol").GetString(), first.RootElement.GetProperty("path").GetString()));
        Assert.True(first.RootElement.GetProperty("bytesOut").GetInt64() > 0);
        await sidecar.NextAccessLogLineAsync();
        // A gRPC error is an HTTP 200 with grpc-status in the trailers: both calls count as 200.
        Assert.Equal(2, (await sidecar.MetricsAsync()).Sum("meshnet_requests_total", ("destination_service", "echo"), ("code", "200")));
    }

    private static SocketsHttpHandler Connector(int port) => new()
    {
        UseProxy = false,
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };
}
