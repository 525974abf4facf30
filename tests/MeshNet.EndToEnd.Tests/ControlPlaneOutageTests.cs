using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>The data plane outlives the control plane, and a restarted control plane brings it up to date.</summary>
public sealed class ControlPlaneOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sidecars_KeepServingTheLastConfig_WhileTheControlPlaneIsDown_AndResyncAfterItRestarts()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest(), RoundRobinPolicy(BackendService));
        var (client, backends) = await StartBackendsAndClientAsync(bed, "backend-1", "backend-2");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        await bed.StopControlPlaneAsync();
        var duringOutage = await mesh.SendAsync(BackendUrl, 200);
        bed.Log.Note($"control plane down: {duringOutage}");
        Assert.Empty(duringOutage.Failures);
        Assert.Equal(["backend-1", "backend-2"], duringOutage.ByBackend.Keys.Order(StringComparer.Ordinal));

        // Made while nobody watches the directory: only a fresh load after the restart can pick it up.
        bed.Manifests.Write("late-service.yaml", Manifests.Service(
            MeshTestBed.Namespace, "late", BackendLabels, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));
        var stillNoRoute = await mesh.GetAsync("http://late.e2e/");
        Assert.Equal("no-route", stillNoRoute.MeshError);

        await bed.RestartControlPlaneAsync();
        var (_, resyncedAfter) = await Poll.UntilAsync(
            () => mesh.GetAsync("http://late.e2e/"),
            response => response.Succeeded,
            TimeSpan.FromSeconds(30),
            "the client routes to the Service added during the outage");
        bed.Log.Note($"client routed to the new Service {resyncedAfter.TotalMilliseconds:F0} ms after the restart");

        // Each sidecar reconnects on its own jittered backoff; all of them must register again.
        var (_, reregisteredAfter) = await Poll.UntilAsync(
            async () => (await bed.Admin.ProxiesAsync()).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray(),
            names => names.SequenceEqual(["backend-1", "backend-2", "client"]),
            TimeSpan.FromSeconds(30),
            "every sidecar is registered with the new control plane");
        bed.Log.Note($"all sidecars registered {reregisteredAfter.TotalMilliseconds:F0} ms after the client's first routed request");
        await bed.WaitForReadyEndpointsAsync(BackendService, SettleTimeout, [.. backends.Select(b => b.Address)]);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, backends.Select(b => b.Address));
        var afterRestart = await mesh.SendAsync(BackendUrl, 100);
        Assert.Empty(afterRestart.Failures);
        Assert.Equal(backends.Length, afterRestart.ByBackend.Count);
    }

    // A restarted control plane knows no sidecar until each reconnects. It must neither hand a reconnecting
    // caller a Service whose endpoints have not re-registered yet nor withdraw them while they reconnect.
    [Fact]
    public async Task RestartingTheControlPlane_FailsNoRequest()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest(), RoundRobinPolicy(BackendService));
        var (client, backends) = await StartBackendsAndClientAsync(bed, "backend-1", "backend-2");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        await bed.StopControlPlaneAsync();
        await bed.RestartControlPlaneAsync();

        var tally = new TrafficTally();
        var resynced = false;
        var extra = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (extra < 200 && !deadline.IsCancellationRequested)
        {
            tally.Add(await mesh.GetAsync(BackendUrl));
            if (resynced)
            {
                extra++;
            }
            else if (tally.Total % 20 == 0)
            {
                var proxies = await bed.Admin.ProxiesAsync();
                resynced = proxies.Count == 3 && proxies.All(p => p.AckedVersion == p.SentVersion && !string.IsNullOrEmpty(p.AckedVersion));
            }
        }

        bed.Log.Note($"across the restart: {tally}");
        Assert.True(resynced, "the sidecars did not resync within 30 s");
        Assert.Empty(tally.Failures);
        Assert.Equal(backends.Length, tally.ByBackend.Count);
    }
}
