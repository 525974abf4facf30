using System.Diagnostics;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>Outlier ejection: a failing endpoint leaves the rotation for the ejection time; with all failing, fast 503s.</summary>
public sealed class OutlierDetectionTests(ITestOutputHelper output)
{
    private const int Consecutive5xx = 3;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan BaseEjection = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task AlwaysFailingBackend_IsEjectedForTheEjectionTime_ThenReturns_AndAllFailingGivesFast503s()
    {
        await using var mesh = await TrafficBed.StartAsync(output, "backend-1", "backend-2", "backend-3");
        await mesh.ApplyAsync(PolicyFile, Policy(
            "backend-outliers",
            "loadBalancer: {type: RoundRobin}",
            "retries: {attempts: 0, on: [connect-failure]}",
            $"outlierDetection: {{consecutive5xx: {Consecutive5xx}, interval: 200ms, baseEjectionTime: 3s, maxEjectionPercent: 100}}"),
            "\"e2e/backend-outliers\"");
        var faulty = mesh.Control("backend-1");
        await faulty.SetFaultsAsync(new BackendFaults(FailRate: 1, FailStatus: 500));
        using var load = mesh.Load();

        // Until the faulty backend has failed consecutive5xx times in a row and then stopped appearing.
        var seen = new List<Outcome>();
        var failuresFromFaulty = 0;
        var sinceFaulty = 0;
        while (failuresFromFaulty < Consecutive5xx || sinceFaulty < 20)
        {
            Assert.True(seen.Count < 400, $"backend-1 was never ejected: {Summary(seen)}");
            var outcome = await load.SendAsync();
            seen.Add(outcome);
            if (outcome.Backend == "backend-1")
            {
                Assert.Equal(500, outcome.Status);
                failuresFromFaulty++;
                sinceFaulty = 0;
            }
            else
            {
                Assert.True(outcome.Ok, $"a healthy backend failed: {outcome}");
                sinceFaulty++;
            }
        }

        var lastFailure = seen.Last(o => o.Backend == "backend-1").Ended;
        mesh.Log.Note($"backend-1 ejected after {failuresFromFaulty} consecutive 500s (threshold {Consecutive5xx}); {Summary(seen)}");
        Assert.InRange(failuresFromFaulty, Consecutive5xx, Consecutive5xx + 2);

        // Healed while ejected: it must still get nothing until the ejection time is over, then come back.
        await faulty.ClearFaultsAsync();
        var attemptsAtEjection = (await faulty.StatsAsync()).Requests;
        Outcome? back = null;
        var during = new List<Outcome>();
        var deadline = lastFailure + BaseEjection + TimeSpan.FromSeconds(10);
        while (back is null)
        {
            Assert.True(load.Now < deadline, $"backend-1 did not return within the ejection time + 10 s: {Summary(during)}");
            var outcome = await load.SendAsync();
            Assert.True(outcome.Ok, $"a request failed while backend-1 was ejected: {outcome}");
            if (outcome.Backend == "backend-1")
            {
                back = outcome;
            }
            else
            {
                during.Add(outcome);
            }
        }

        var ejectedFor = back.Started - lastFailure;
        var attemptsWhileEjected = (await faulty.StatsAsync()).Requests - attemptsAtEjection - 1;
        mesh.Log.Note($"backend-1 returned {ejectedFor.TotalMilliseconds:F0} ms after its last failure (base ejection {BaseEjection.TotalMilliseconds} ms, "
            + $"interval {Interval.TotalMilliseconds} ms); {during.Count} requests went elsewhere meanwhile; it saw {attemptsWhileEjected} while ejected");
        Assert.Equal(0, attemptsWhileEjected);
        Assert.InRange(ejectedFor, BaseEjection * 0.9, BaseEjection + Interval + TimeSpan.FromSeconds(1.5));

        // Every backend failing: all are ejected (maxEjectionPercent 100) and requests fail fast, never reaching them.
        await Task.WhenAll(mesh.Backends.Select(b => b.App!.Control.SetFaultsAsync(new BackendFaults(FailRate: 1, FailStatus: 500))));
        var untilAllEjected = new List<Outcome>();
        while (untilAllEjected.LastOrDefault()?.MeshError != "no-healthy-endpoints")
        {
            Assert.True(untilAllEjected.Count < 200, $"never all ejected: {Summary(untilAllEjected)}");
            untilAllEjected.Add(await load.SendAsync());
        }

        var upstreamBefore = (await mesh.StatsAsync()).Values.Sum(s => s.Requests);
        var clock = Stopwatch.StartNew();
        var fast = await load.RunAsync(50, concurrency: 5);
        var upstreamAfter = (await mesh.StatsAsync()).Values.Sum(s => s.Requests);
        var slowest = fast.Outcomes.Max(o => o.Latency);
        mesh.Log.Note($"all failing: ejected after {untilAllEjected.Count} requests; then {fast}; slowest {slowest.TotalMilliseconds:F1} ms, "
            + $"p50 {fast.Outcomes.Select(o => o.Latency.TotalMilliseconds).Order().ElementAt(25):F1} ms; 50 in {clock.ElapsedMilliseconds} ms");
        Assert.All(fast.Outcomes, o =>
        {
            Assert.Equal(503, o.Status);
            Assert.Equal("no-healthy-endpoints", o.MeshError);
        });
        Assert.Equal(upstreamBefore, upstreamAfter);
        var sidecar = await mesh.ClientStatsAsync();
        mesh.Log.Note($"client sidecar /stats: {sidecar}");
        Assert.True(sidecar["noHealthyEndpoints"] >= fast.Count, $"{fast.Count} fast 503s, counted {sidecar["noHealthyEndpoints"]}");
        Assert.True(sidecar["ejections"] >= 4, $"backend-1 once, then all three: counted {sidecar["ejections"]} ejections");
        // Never a hang: the policy sets no timeout, so a request that waited for an endpoint would wait until the
        // client's 15 s; the bound leaves room for a CPU-starved machine, the log has the real figures.
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a 503 took {slowest.TotalMilliseconds:F0} ms");
    }

    private static string Summary(List<Outcome> outcomes) =>
        $"{outcomes.Count} requests: " + string.Join(", ", outcomes.GroupBy(o => $"{o.Status} {o.Backend ?? o.MeshError}").Select(g => $"{g.Key} x{g.Count()}"));
}
