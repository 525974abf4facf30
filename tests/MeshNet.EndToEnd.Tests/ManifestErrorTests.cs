using System.Text.Json;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>A bad manifest is reported where an operator looks, and costs nothing but itself.</summary>
public sealed class ManifestErrorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task InvalidDocument_IsListedInDebugErrors_WhileItsValidNeighboursRoute_UntilTheFileIsFixed()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        var good = Manifests.Service(MeshTestBed.Namespace, "neighbour", BackendLabels, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName));
        var broken = Manifests.Service(MeshTestBed.Namespace, "broken", BackendLabels, new ServicePortSpec("http", 70000, MeshTestBed.HttpPortName));
        bed.Manifests.Write("mixed.yaml", good + "---\n" + broken);

        var (errors, _) = await Poll.UntilAsync(
            () => bed.Admin.ErrorsAsync(),
            list => list.Any(e => e.Origin == "mixed.yaml"),
            SettleTimeout,
            "/debug/errors lists mixed.yaml");
        var error = Assert.Single(errors);
        bed.Log.Note($"reported: {error}");
        Assert.Equal(1, error.DocumentIndex.ValueKind == JsonValueKind.Number ? error.DocumentIndex.GetInt32() : -1);
        Assert.Equal("Service e2e/broken", error.Resource);
        Assert.Contains("port", error.Field ?? string.Empty, StringComparison.Ordinal);

        await Poll.UntilAsync(() => mesh.GetAsync("http://neighbour.e2e/"), r => r.Succeeded, SettleTimeout, "the valid document routes");
        Assert.True((await mesh.GetAsync(BackendUrl)).Succeeded);
        Assert.Equal("no-route", (await mesh.GetAsync("http://broken.e2e/")).MeshError);

        bed.Manifests.Write("mixed.yaml", good);
        await Poll.UntilAsync(() => bed.Admin.ErrorsAsync(), list => list.Count == 0, SettleTimeout, "/debug/errors is empty again");
    }

    // Each file is valid alone; the clash is between Services. Like the API server's IP allocator, the control
    // plane must refuse the later claimant rather than ship both, which every sidecar would NACK, freezing all
    // later updates until the file is fixed.
    [Fact]
    public async Task ClashingClusterIP_IsRefusedWithAnError_AndDoesNotBlockOtherUpdates()
    {
        const string sharedClusterIp = "10.96.77.10";
        await using var bed = await MeshTestBed.StartAsync(output, ("backend-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, BackendService, BackendLabels, sharedClusterIp, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName))));
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        bed.Manifests.Write("clash-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "clash", BackendLabels, sharedClusterIp, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));
        bed.Manifests.Write("other-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "other", BackendLabels, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));

        await Poll.UntilAsync(
            () => mesh.GetAsync("http://other.e2e/"),
            response => response.Succeeded,
            SettleTimeout,
            "a Service added after the clash is routed");
        var (errors, _) = await Poll.UntilAsync(
            () => bed.Admin.ErrorsAsync(),
            list => list.Any(e => e.Message?.Contains(sharedClusterIp, StringComparison.Ordinal) == true),
            SettleTimeout,
            "/debug/errors names the clashing clusterIP");
        bed.Log.Note($"reported: {string.Join("; ", errors)}");
        Assert.Contains(errors, e => e.Resource == "Service e2e/clash");
        Assert.True((await mesh.GetAsync(BackendUrl)).Succeeded);
        Assert.Null((await bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"))!.LastNack);
    }
}
