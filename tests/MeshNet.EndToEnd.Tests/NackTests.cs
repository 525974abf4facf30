using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>A config the sidecar rejects: it keeps its last good routes and the control plane shows the NACK.</summary>
public sealed class NackTests(ITestOutputHelper output)
{
    // The input: an EndpointSlice that lists the client sidecar's own outbound listener as an endpoint. Any
    // address may stand in an EndpointSlice, and the control plane cannot know which ports a given sidecar
    // listens on, so it accepts the file (the address is the client's pod IP, so it is sent as a meshed endpoint
    // through the client's inbound listener, target port = the outbound port); the client sidecar refuses a
    // config that would forward into itself in a loop. The check is the sidecar's own.
    [Fact]
    public async Task EndpointAtTheClientsOwnOutboundListener_IsNacked_OldRoutesKeepWorking_AndTheNackShowsInDebugProxies()
    {
        await using var bed = await MeshTestBed.StartAsync(output, ("external-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "external", selector: null, new ServicePortSpec("http", 80, "8080"))), RoundRobinPolicy("external"));
        var plain = await bed.StartPlainBackendAsync("plain-1");
        var second = await bed.StartPlainBackendAsync("plain-2");
        var client = await bed.StartClientAsync();
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        bed.Manifests.Write("external-1.yaml", Slice("external-1", plain));
        await bed.WaitForReadyEndpointsAsync("external", SettleTimeout, plain.Address);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [plain.Address]);
        // The sidecar applies a config before its ACK reaches the control plane: wait for the ACK, not just the apply.
        var (before, _) = await Poll.UntilAsync(
            () => bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"),
            proxy => proxy is not null && proxy.SentVersion == proxy.AckedVersion,
            SettleTimeout,
            "the client's first config is ACKed");
        Assert.Null(before!.LastNack);

        var loop = client.RequiredSidecar.Outbound;
        bed.Manifests.Write("external-2.yaml", Manifests.EndpointSlice(
            MeshTestBed.Namespace, "external-2", "external", "http", loop.Port, loop.Address.ToString()));
        var (nacked, _) = await Poll.UntilAsync(
            () => bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"),
            proxy => proxy?.LastNack is not null,
            SettleTimeout,
            "the client's NACK shows in /debug/proxies");

        bed.Log.Note($"NACK: version={nacked!.LastNack!.Version} nonce={nacked.LastNack.Nonce} message={nacked.LastNack.Message}");
        Assert.Empty(await bed.Admin.ErrorsAsync());
        Assert.Contains("leads back into this sidecar; forwarding to it would loop", nacked.LastNack.Message, StringComparison.Ordinal);
        Assert.Equal(before.AckedVersion, nacked.AckedVersion);
        var tally = await mesh.SendAsync("http://external.e2e/", 50);
        Assert.Empty(tally.Failures);
        Assert.Equal(["plain-1"], tally.ByBackend.Keys);

        // A corrected input must get the stream moving again: the next config is ACKed and applied.
        bed.Manifests.Write("external-2.yaml", Slice("external-2", second));
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [plain.Address, second.Address]);
        var (recovered, _) = await Poll.UntilAsync(
            () => bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"),
            proxy => proxy is not null && proxy.SentVersion == proxy.AckedVersion,
            SettleTimeout,
            "the corrected config is ACKed");
        Assert.NotEqual(before.AckedVersion, recovered!.AckedVersion);
        var afterFix = await mesh.SendAsync("http://external.e2e/", 20);
        Assert.Empty(afterFix.Failures);
        Assert.Equal(["plain-1", "plain-2"], afterFix.ByBackend.Keys.Order(StringComparer.Ordinal));
    }

    private static string Slice(string name, MeshPod pod) =>
        Manifests.EndpointSlice(MeshTestBed.Namespace, name, "external", "http", PodPorts.AppHttp, pod.Address.ToString());
}
