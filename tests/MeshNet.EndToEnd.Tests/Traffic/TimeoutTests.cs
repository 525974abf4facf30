using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>A backend that never answers: the request timeout answers 504, a per-try timeout moves on.</summary>
public sealed class TimeoutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PerTryTimeout = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task HungBackend_Gets504AtTheRequestTimeout_AndAPerTryTimeoutRetriesOnAnotherEndpoint()
    {
        await using var mesh = await TrafficBed.StartAsync(output, "backend-1", "backend-2", "backend-3");
        using var load = mesh.Load();
        // Nine connections and a warm request path first: the timing below is the timeout's, not a cold start's.
        Assert.Empty((await load.RunAsync(90, concurrency: 9)).Failures);
        await mesh.Control("backend-1").SetFaultsAsync(new BackendFaults(Hang: true));

        // Round robin with no retries: every third request reaches the hung backend and must end at the timeout.
        await mesh.ApplyAsync(PolicyFile, Policy(
            "backend-timeout",
            "loadBalancer: {type: RoundRobin}",
            "timeouts: {request: 2s}",
            "retries: {attempts: 0, on: [connect-failure]}"),
            "\"e2e/backend-timeout\"");
        var timedOut = await load.RunAsync(9, concurrency: 9);

        mesh.Log.Note($"request timeout: {timedOut}; latencies: "
            + string.Join(", ", timedOut.Outcomes.Select(o => $"{o.Status} {o.Latency.TotalMilliseconds:F0}ms")));
        var hung = timedOut.Failures;
        Assert.Equal(3, hung.Count);
        Assert.Equal(6, timedOut.Succeeded);
        Assert.All(hung, f =>
        {
            Assert.Equal(504, f.Status);
            Assert.Equal("upstream-timeout", f.MeshError);
            Assert.InRange(f.Latency, RequestTimeout * 0.9, RequestTimeout * 1.1);
        });
        Assert.Equal(hung.Count, (int)(await mesh.Control("backend-1").StatsAsync()).Hung);
        Assert.Equal(hung.Count, (await mesh.ClientStatsAsync())["requestTimeouts"]);

        // A per-try timeout far below the request timeout: the attempt at the hung backend is abandoned and retried.
        await mesh.ApplyAsync(PolicyFile, Policy(
            "backend-pertry",
            "loadBalancer: {type: RoundRobin}",
            "timeouts: {request: 3s, perTry: 300ms}",
            "retries: {attempts: 2, on: [gateway-error, 5xx, reset, connect-failure], backoff: {base: 5ms, max: 20ms}}"),
            "\"e2e/backend-pertry\"");
        var hungBefore = (await mesh.Control("backend-1").StatsAsync()).Hung;
        var retried = await load.RunAsync(30, concurrency: 3);

        var hungAttempts = (await mesh.Control("backend-1").StatsAsync()).Hung - hungBefore;
        var slowest = retried.Outcomes.Max(o => o.Latency);
        mesh.Log.Note($"per-try timeout: {retried}; attempts abandoned at the hung backend: {hungAttempts}; slowest {slowest.TotalMilliseconds:F0} ms");
        Assert.Empty(retried.Failures);
        Assert.DoesNotContain("backend-1", retried.ByBackend.Keys);
        Assert.True(hungAttempts > 0, "no attempt reached the hung backend: the per-try path was not exercised");
        Assert.InRange(slowest, PerTryTimeout, RequestTimeout);
        var sidecar = await mesh.ClientStatsAsync();
        mesh.Log.Note($"client sidecar /stats: {sidecar}");
        Assert.Equal(hungAttempts, sidecar["perTryTimeouts"]);
    }
}
