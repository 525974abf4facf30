using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>A config the sidecar rejects: it keeps its last good routes and the control plane shows the NACK.</summary>
public sealed class NackTests(ITestOutputHelper output)
{
    private const string SharedClusterIp = "10.96.77.10";

    // Two Services pinned to one clusterIP: each file is valid alone and the control plane checks no clash across
    // Services (the Kubernetes API server's IP allocator would refuse the second; a manifest directory has no
    // allocator), so both reach the sidecar, where the VIP domain "10.96.77.10:80" is claimed twice.
    [Fact]
    public async Task ClashingClusterIPs_AreNacked_OldRoutesKeepWorking_AndTheNackShowsInDebugProxies()
    {
        await using var bed = await MeshTestBed.StartAsync(output, ("backend-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, BackendService, BackendLabels, SharedClusterIp, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName))));
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        var before = await bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client");
        Assert.Null(before?.LastNack);

        bed.Manifests.Write("clash-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "clash", BackendLabels, SharedClusterIp, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));
        var (nacked, _) = await Poll.UntilAsync(
            () => bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"),
            proxy => proxy?.LastNack is not null,
            SettleTimeout,
            "the client's NACK shows in /debug/proxies");

        bed.Log.Note($"NACK: version={nacked!.LastNack!.Version} nonce={nacked.LastNack.Nonce} message={nacked.LastNack.Message}");
        Assert.Contains(SharedClusterIp, nacked.LastNack.Message, StringComparison.Ordinal);
        Assert.Equal(before!.AckedVersion, nacked.AckedVersion);
        var tally = await mesh.SendAsync(BackendUrl, 50);
        Assert.Empty(tally.Failures);
        Assert.Equal("no-route", (await mesh.GetAsync("http://clash.e2e/")).MeshError);

        // Fixing the input must get the stream moving again: the next config is ACKed and applied.
        bed.Manifests.Write("clash-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "clash", BackendLabels, "10.96.77.11", new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));
        await Poll.UntilAsync(
            () => mesh.GetAsync("http://clash.e2e/"),
            response => response.Succeeded,
            SettleTimeout,
            "the fixed Service is routed");
        var recovered = await bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client");
        Assert.NotEqual(before.AckedVersion, recovered!.AckedVersion);
        Assert.Equal(recovered.SentVersion, recovered.AckedVersion);
    }

    // What should happen instead: one bad file must not freeze the mesh. Today every later push to every sidecar
    // in the namespace still carries the clash, so each is NACKed: a new Service or endpoint never arrives, and
    // /debug/errors stays empty. Unskip once the control plane checks clusterIP uniqueness across Services.
    [Fact(Skip = "control plane ships clashing clusterIPs: every later update is NACKed until the file is fixed")]
    public async Task ClashingClusterIP_IsReportedAsAnError_AndDoesNotBlockOtherUpdates()
    {
        await using var bed = await MeshTestBed.StartAsync(output, ("backend-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, BackendService, BackendLabels, SharedClusterIp, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName))));
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        bed.Manifests.Write("clash-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "clash", BackendLabels, SharedClusterIp, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));
        bed.Manifests.Write("other-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "other", BackendLabels, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));

        await Poll.UntilAsync(
            () => mesh.GetAsync("http://other.e2e/"),
            response => response.Succeeded,
            SettleTimeout,
            "a Service added after the clash is routed");
        var errors = await bed.Admin.ErrorsAsync();
        Assert.Contains(errors, e => e.Message?.Contains(SharedClusterIp, StringComparison.Ordinal) == true);
        Assert.Null((await bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"))!.LastNack);
    }
}
