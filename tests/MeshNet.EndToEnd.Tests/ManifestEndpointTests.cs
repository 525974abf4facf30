using System.Net;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>Endpoints that come from manifests rather than sidecars: plain workloads outside the mesh.</summary>
public sealed class ManifestEndpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SelectorlessService_RoutesToItsEndpointSlice_UntilTheSliceFileIsDeleted()
    {
        await using var bed = await MeshTestBed.StartAsync(output);
        var plain = await bed.StartPlainBackendAsync("plain-1");
        var client = await bed.StartClientAsync();
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        bed.Manifests.Write("external-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "external", selector: null, new ServicePortSpec("http", 80, "8080")));
        bed.Manifests.Write("external-slice.yaml", Manifests.EndpointSlice(
            MeshTestBed.Namespace, "external-1", "external", "http", PodPorts.AppHttp, plain.Address.ToString()));
        var (endpoints, _) = await bed.WaitForReadyEndpointsAsync("external", SettleTimeout, plain.Address);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [plain.Address]);

        Assert.False(Assert.Single(endpoints).Meshed);
        var reached = await mesh.GetAsync("http://external.e2e/");
        Assert.True(reached.Succeeded, reached.ToString());
        Assert.Equal("plain-1", reached.Backend);

        bed.Manifests.Delete("external-slice.yaml");
        await bed.WaitForEndpointsAsync("external", e => e.Count == 0, SettleTimeout, "no endpoints");
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [], [plain.Address]);

        var afterDelete = await mesh.GetAsync("http://external.e2e/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, afterDelete.Status);
        Assert.Equal("no-healthy-endpoints", afterDelete.MeshError);
    }

    [Fact]
    public async Task PodManifest_IsAnEndpointOfItsService_UntilThePodFileIsDeleted()
    {
        var labels = new Dictionary<string, string> { ["app"] = "legacy" };
        await using var bed = await MeshTestBed.StartAsync(output, ("legacy-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "legacy", labels, new ServicePortSpec("http", 80, "http"))));
        var plain = await bed.StartPlainBackendAsync("legacy-1");
        var client = await bed.StartClientAsync();
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        bed.Manifests.Write("legacy-pod.yaml", Manifests.Pod(
            MeshTestBed.Namespace, "legacy-1", labels, plain.Address.ToString(), "http", PodPorts.AppHttp));
        var (endpoints, _) = await bed.WaitForReadyEndpointsAsync("legacy", SettleTimeout, plain.Address);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [plain.Address]);

        var endpoint = Assert.Single(endpoints);
        Assert.False(endpoint.Meshed);
        Assert.Equal(PodPorts.AppHttp, endpoint.TargetPort);
        var reached = await mesh.GetAsync("http://legacy.e2e/");
        Assert.True(reached.Succeeded, reached.ToString());
        Assert.Equal("legacy-1", reached.Backend);

        bed.Manifests.Delete("legacy-pod.yaml");
        await bed.WaitForEndpointsAsync("legacy", e => e.Count == 0, SettleTimeout, "no endpoints");
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [], [plain.Address]);

        var afterDelete = await mesh.GetAsync("http://legacy.e2e/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, afterDelete.Status);
        Assert.Equal("no-healthy-endpoints", afterDelete.MeshError);
    }
}
