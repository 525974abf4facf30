using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>A sidecar's readiness probe decides whether its workload takes traffic.</summary>
public sealed class ReadinessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BackendWhoseAppStops_LeavesTheRotation_AndReturnsWhenTheAppIsBack()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest(), RoundRobinPolicy(BackendService));
        var (client, backends) = await StartBackendsAndClientAsync(bed, "backend-1", "backend-2");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        var sick = backends[1];

        // Only the app dies: the sidecar stays registered and must report the workload unready.
        await sick.App!.StopAsync();
        var (_, unreadyAfter) = await bed.WaitForEndpointsAsync(
            BackendService,
            endpoints => endpoints.Any(e => e.Address == sick.Address.ToString() && !e.Ready),
            SettleTimeout,
            $"{sick.Address} is listed as not ready");
        bed.Log.Note($"endpoint marked unready {unreadyAfter.TotalMilliseconds:F0} ms after the app stopped");
        await Poll.UntilAsync(
            async () => (await mesh.SendAsync(BackendUrl, 10)).ByBackend.Keys.ToArray(),
            names => names.SequenceEqual(["backend-1"]),
            SettleTimeout,
            "only backend-1 answers");

        var whileSick = await mesh.SendAsync(BackendUrl, 50);
        Assert.Empty(whileSick.Failures);
        Assert.Equal(["backend-1"], whileSick.ByBackend.Keys);

        await bed.StartBackendAppAsync(sick.Name, sick.Address);
        await bed.WaitForReadyEndpointsAsync(BackendService, SettleTimeout, [.. backends.Select(b => b.Address)]);
        var (healed, _) = await Poll.UntilAsync(
            () => mesh.SendAsync(BackendUrl, 20),
            tally => tally.ByBackend.Count == 2,
            SettleTimeout,
            "both backends answer again");
        Assert.Empty(healed.Failures);
    }
}
