using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>The circuit breaker refuses what exceeds maxRequests at once, instead of queueing it.</summary>
public sealed class CircuitBreakerTests(ITestOutputHelper output)
{
    private const int MaxRequests = 10;
    private const int Concurrent = 50;

    [Fact]
    public async Task MaxRequests10_With50ConcurrentSlowRequests_Refuses40AtOnce_With503Overloaded()
    {
        await using var mesh = await TrafficBed.StartAsync(output, "backend-1", "backend-2");
        using var load = mesh.Load(timeout: TimeSpan.FromSeconds(30));
        // Open the connections before the breaker is set, so the burst measures the breaker and not 50 handshakes.
        Assert.Empty((await load.RunAsync(Concurrent, Concurrent)).Failures);
        await mesh.ApplyAsync(PolicyFile, Policy(
            "backend-breaker",
            $"circuitBreaker: {{maxRequests: {MaxRequests}}}",
            "retries: {attempts: 0, on: [connect-failure]}"),
            "\"e2e/backend-breaker\"");
        await Task.WhenAll(mesh.Backends.Select(b => b.App!.Control.SetFaultsAsync(new BackendFaults(DelayMs: 2000))));
        await mesh.ClearStatsAsync();

        var burst = await load.RunAsync(Concurrent, Concurrent);

        var refused = burst.Failures;
        var served = burst.Outcomes.Where(o => o.Ok).ToList();
        var upstream = (await mesh.StatsAsync()).Values.Sum(s => s.Requests);
        mesh.Log.Note($"{burst}; slowest refusal {refused.Select(r => r.Latency.TotalMilliseconds).DefaultIfEmpty().Max():F0} ms, "
            + $"fastest success {served.Select(s => s.Latency.TotalMilliseconds).DefaultIfEmpty().Min():F0} ms; upstream requests {upstream}");
        Assert.Equal(MaxRequests, served.Count);
        Assert.Equal(Concurrent - MaxRequests, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(503, r.Status);
            Assert.Equal("overloaded", r.MeshError);
        });
        // "At once": every refusal came back before the first admitted request, which the backends held for 2 s.
        Assert.True(refused.Max(r => r.Ended) < served.Min(s => s.Ended), "a refusal waited for an admitted request to finish");
        Assert.Equal(MaxRequests, upstream);
        var sidecar = await mesh.ClientStatsAsync();
        mesh.Log.Note($"client sidecar /stats: {sidecar}");
        Assert.Equal(Concurrent - MaxRequests, sidecar["overflows"]);
    }
}
