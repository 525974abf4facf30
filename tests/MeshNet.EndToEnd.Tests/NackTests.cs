using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>A config the sidecar rejects: it keeps its last good routes and the control plane shows the NACK.</summary>
public sealed class NackTests(ITestOutputHelper output)
{
    // The input: two EndpointSlices of one Service listing the same address. Kubernetes allows it (an endpoint
    // may sit in two slices while the controller moves it, and consumers are told to tolerate that), the control
    // plane accepts both files and resolves the endpoint twice, and the sidecar refuses a cluster naming one
    // endpoint twice. Should the control plane start merging duplicates, this input stops producing a NACK and
    // the test fails at its first wait: then find another input, or note that none is left.
    [Fact]
    public async Task DuplicateEndpointAcrossSlices_IsNacked_OldRoutesKeepWorking_AndTheNackShowsInDebugProxies()
    {
        await using var bed = await MeshTestBed.StartAsync(output, ("external-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "external", selector: null, new ServicePortSpec("http", 80, "8080"))));
        var plain = await bed.StartPlainBackendAsync("plain-1");
        var second = await bed.StartPlainBackendAsync("plain-2");
        var client = await bed.StartClientAsync();
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        bed.Manifests.Write("external-1.yaml", Slice("external-1", plain));
        await bed.WaitForReadyEndpointsAsync("external", SettleTimeout, plain.Address);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [plain.Address]);
        var before = await bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client");
        Assert.Null(before!.LastNack);
        Assert.Equal(before.SentVersion, before.AckedVersion);

        bed.Manifests.Write("external-2.yaml", Slice("external-2", plain));
        var (nacked, _) = await Poll.UntilAsync(
            () => bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"),
            proxy => proxy?.LastNack is not null,
            SettleTimeout,
            "the client's NACK shows in /debug/proxies");

        bed.Log.Note($"NACK: version={nacked!.LastNack!.Version} nonce={nacked.LastNack.Nonce} message={nacked.LastNack.Message}");
        Assert.Empty(await bed.Admin.ErrorsAsync());
        Assert.Contains(plain.Address.ToString(), nacked.LastNack.Message, StringComparison.Ordinal);
        Assert.Equal(before.AckedVersion, nacked.AckedVersion);
        var tally = await mesh.SendAsync("http://external.e2e/", 50);
        Assert.Empty(tally.Failures);
        Assert.Equal(["plain-1"], tally.ByBackend.Keys);

        // A corrected input must get the stream moving again: the next config is ACKed and applied.
        bed.Manifests.Write("external-2.yaml", Slice("external-2", second));
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, [plain.Address, second.Address]);
        var recovered = await bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client");
        Assert.NotEqual(before.AckedVersion, recovered!.AckedVersion);
        Assert.Equal(recovered.SentVersion, recovered.AckedVersion);
        var afterFix = await mesh.SendAsync("http://external.e2e/", 20);
        Assert.Empty(afterFix.Failures);
        Assert.Equal(["plain-1", "plain-2"], afterFix.ByBackend.Keys.Order(StringComparer.Ordinal));
    }

    private static string Slice(string name, MeshPod pod) =>
        Manifests.EndpointSlice(MeshTestBed.Namespace, name, "external", "http", PodPorts.AppHttp, pod.Address.ToString());
}
