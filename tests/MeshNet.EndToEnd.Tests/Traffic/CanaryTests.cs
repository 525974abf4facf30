using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>A TrafficRoute over the v1 and v2 subsets of one Service: weighted canary, live weight change, header match.</summary>
public sealed class CanaryTests(ITestOutputHelper output)
{
    private const string RouteName = "backend-canary";
    private const string RouteMarker = "\"e2e/backend-canary\"";

    private static readonly (string, IReadOnlyDictionary<string, string>?)[] Backends =
        [TrafficBed.Versioned("backend-v1", "v1"), TrafficBed.Versioned("backend-v2", "v2")];

    [Fact]
    public async Task WeightedRoute_Splits90To10_ThenShiftsTo50To50MidRun_WithoutAFailedRequest()
    {
        await using var mesh = await TrafficBed.StartAsync(output, Backends);
        await mesh.ApplyAsync(RouteFile, Route(RouteName, "rules:", SplitRule(90, 10)), RouteMarker);
        using var load = mesh.Load();

        var canary = await load.RunAsync(10_000, concurrency: 16);

        var v2Share = canary.ShareOf(b => b == "backend-v2");
        mesh.Log.Note($"90/10: {canary}; v2 share {100 * v2Share:F2} %");
        Assert.Empty(canary.Failures);
        Assert.InRange(v2Share, 0.08, 0.12);

        // Rewrite the route under load: the new weights apply to new requests and nothing in flight fails.
        using var stop = new CancellationTokenSource();
        var running = load.RunUntilAsync(concurrency: 8, stop.Token);
        var changedAt = load.Now;
        await mesh.ApplyAsync(RouteFile, Route(RouteName, "rules:", SplitRule(50, 50)), RouteMarker, "\"weight\": 50");
        var appliedAt = load.Now;
        while (load.Now - appliedAt < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        var shifting = await running;
        var after = shifting.Where(o => o.Started > appliedAt);
        var v2ShareAfter = after.ShareOf(b => b == "backend-v2");
        mesh.Log.Note($"during the change: {shifting}; applied {(appliedAt - changedAt).TotalMilliseconds:F0} ms after the write; "
            + $"after it: {after}; v2 share {100 * v2ShareAfter:F2} %");
        Assert.Empty(shifting.Failures);
        Assert.True(after.Count >= 500, $"too few requests after the change to measure a share: {after}");
        Assert.InRange(v2ShareAfter, 0.45, 0.55);
    }

    [Fact]
    public async Task HeaderMatch_SendsOnlyMarkedRequestsToV2()
    {
        await using var mesh = await TrafficBed.StartAsync(output, Backends);
        await mesh.ApplyAsync(RouteFile, Route(
            RouteName,
            "rules:",
            "  - matches: [{headers: [{name: x-canary, value: \"true\"}]}]",
            "    backends: [{subset: {version: v2}, weight: 100}]",
            SplitRule(100, 0)),
            RouteMarker);
        using var load = mesh.Load();
        var marked = new Dictionary<string, string> { ["x-canary"] = "true" };
        var wrongValue = new Dictionary<string, string> { ["x-canary"] = "false" };

        var result = await load.RunAsync(600, concurrency: 6, i => (i % 3) switch { 0 => marked, 1 => wrongValue, _ => null });

        var byKind = result.Outcomes.Select((o, i) => (Kind: i % 3 == 0 ? "marked" : "unmarked", o)).ToList();
        var markedTo = byKind.Where(x => x.Kind == "marked").GroupBy(x => x.o.Backend ?? x.o.ToString()).ToDictionary(g => g.Key, g => g.Count());
        var unmarkedTo = byKind.Where(x => x.Kind == "unmarked").GroupBy(x => x.o.Backend ?? x.o.ToString()).ToDictionary(g => g.Key, g => g.Count());
        mesh.Log.Note($"{result}; marked -> {string.Join(", ", markedTo)}; unmarked -> {string.Join(", ", unmarkedTo)}");
        mesh.Log.Note($"client routes: {await mesh.ClientRoutesAsync()}");
        Assert.Empty(result.Failures);
        Assert.Equal(new Dictionary<string, int> { ["backend-v2"] = 200 }, markedTo);
        Assert.Equal(new Dictionary<string, int> { ["backend-v1"] = 400 }, unmarkedTo);
    }
}
