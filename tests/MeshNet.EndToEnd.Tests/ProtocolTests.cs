using System.Net;
using MeshNet.EndToEnd.Tests.Harness;
using MeshNet.TestBackend.Echo.V1;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>HTTP/2 without TLS and gRPC across client sidecar -> server sidecar -> backend.</summary>
public sealed class ProtocolTests(ITestOutputHelper output)
{
    private static (string File, string Yaml) H2cServices() =>
        ("h2c-services.yaml",
         Manifests.Service(MeshTestBed.Namespace, "backend-h2c", BackendLabels, new ServicePortSpec("h2c", 80, MeshTestBed.H2cPortName, "kubernetes.io/h2c"))
         + "---\n"
         + Manifests.Service(MeshTestBed.Namespace, "echo", BackendLabels, new ServicePortSpec("grpc", 80, MeshTestBed.H2cPortName, "grpc")));

    [Fact]
    public async Task H2c_PassesThroughBothSidecars_AsHttp2()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest(), H2cServices());
        var (client, backends) = await StartBackendsAndClientAsync(bed, "backend-1");
        await bed.WaitForReadyEndpointsAsync("backend-h2c", SettleTimeout, backends[0].Address);
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        var response = await mesh.GetAsync("http://backend-h2c.e2e/h2", HttpVersion.Version20);

        Assert.True(response.Succeeded, response.ToString());
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("backend-1", response.Backend);
        Assert.Equal("HTTP/2", response.Json.GetProperty("protocol").GetString());
        Assert.Equal(PodPorts.AppH2c, response.Json.GetProperty("port").GetInt32());
        Assert.Equal("backend-h2c.e2e", response.Json.GetProperty("host").GetString());
    }

    [Fact]
    public async Task Grpc_PassesThroughBothSidecars()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest(), H2cServices());
        var (client, backends) = await StartBackendsAndClientAsync(bed, "backend-1");
        await bed.WaitForReadyEndpointsAsync("echo", SettleTimeout, backends[0].Address);
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        using var channel = mesh.GrpcChannel("http://echo.e2e");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var reply = await new Echo.EchoClient(channel).SayAsync(
            new SayRequest { Message = "hello" }, cancellationToken: timeout.Token);

        Assert.Equal("backend-1", reply.Backend);
        Assert.Equal("hello", reply.Message);
        Assert.Equal("echo.e2e", reply.Authority);
    }
}
