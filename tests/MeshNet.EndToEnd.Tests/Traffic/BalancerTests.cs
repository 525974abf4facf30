using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>PeakEwma against round robin, with one endpoint much slower than the others.</summary>
public sealed class BalancerTests(ITestOutputHelper output)
{
    private const int Requests = 600;
    private const int Concurrency = 6;

    // Far above what a fast answer costs even on a busy two-core machine (tens of ms), so the latency gap the
    // balancer should see is the injected one and not scheduling noise.
    private const int SlowDelayMs = 100;

    [Fact]
    public async Task PeakEwma_SendsASlowEndpointMarkedlyLessThanRoundRobinDoes()
    {
        await using var mesh = await TrafficBed.StartAsync(output, "backend-1", "backend-2", "backend-3");
        await mesh.Control("backend-1").SetFaultsAsync(new BackendFaults(DelayMs: SlowDelayMs));
        using var load = mesh.Load();

        await mesh.ApplyAsync(PolicyFile, Policy("backend-rr", "loadBalancer: {type: RoundRobin}"), "\"e2e/backend-rr\"");
        var roundRobin = await load.RunAsync(Requests, Concurrency);
        await mesh.ApplyAsync(PolicyFile, Policy("backend-ewma", "loadBalancer: {type: PeakEwma}"), "\"e2e/backend-ewma\"");
        await load.RunAsync(100, Concurrency);
        var peakEwma = await load.RunAsync(Requests, Concurrency);

        var rrShare = roundRobin.ShareOf(b => b == "backend-1");
        var ewmaShare = peakEwma.ShareOf(b => b == "backend-1");
        mesh.Log.Note($"round robin: {roundRobin}; slow share {100 * rrShare:F1} %");
        mesh.Log.Note($"peak EWMA: {peakEwma}; slow share {100 * ewmaShare:F1} %");
        Assert.Empty(roundRobin.Failures);
        Assert.Empty(peakEwma.Failures);
        Assert.InRange(rrShare, 0.28, 0.39);
        Assert.True(ewmaShare < rrShare / 2, $"PeakEwma gave the slow endpoint {100 * ewmaShare:F1} %, round robin {100 * rrShare:F1} %");
    }
}
