using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>Retries to another endpoint, bounded by the retry budget, counted at the backends themselves.</summary>
public sealed class RetryTests(ITestOutputHelper output)
{
    private const int Requests = 2000;
    private const int BudgetPercent = 20;
    private const int BudgetMinPerSecond = 10;

    [Fact]
    public async Task Retries_KeepSuccessAbove99_5Percent_WhenOneOfThreeBackendsFails30Percent_WithinTheBudget()
    {
        await using var mesh = await TrafficBed.StartAsync(output, "backend-1", "backend-2", "backend-3");
        await mesh.ApplyAsync(PolicyFile, Policy(
            "backend-retries",
            "loadBalancer: {type: RoundRobin}",
            $"retries: {{attempts: 2, on: [5xx], budget: {{percent: {BudgetPercent}, minPerSecond: {BudgetMinPerSecond}}}, backoff: {{base: 5ms, max: 25ms}}}}"),
            "\"e2e/backend-retries\"");
        await mesh.Control("backend-1").SetFaultsAsync(new BackendFaults(FailRate: 0.3, FailStatus: 503));
        await mesh.ClearStatsAsync();
        using var load = mesh.Load();

        var result = await load.RunAsync(Requests, concurrency: 8);

        var stats = await mesh.StatsAsync();
        var sidecar = await mesh.ClientStatsAsync();
        var attempts = stats.Values.Sum(s => s.Requests);
        var upstream503 = stats.Values.Sum(s => s.Status(503));
        var retries = attempts - Requests;
        var clientFailures = Requests - result.Succeeded;
        // The budget: retries may add `percent` of the requests, and at least `minPerSecond` in every second.
        var budget = (Requests * BudgetPercent / 100) + (BudgetMinPerSecond * (int)Math.Ceiling(result.Elapsed.TotalSeconds));
        mesh.Log.Note(result.ToString());
        mesh.Log.Note($"success {100.0 * result.Succeeded / Requests:F2} %; upstream attempts {attempts} ({retries} retries, budget {budget}); "
            + $"upstream 503s {upstream503}; per backend: {string.Join(", ", stats.Values.Select(s => $"{s.Name}={s.Requests}/{s.Failed} failed"))}");

        Assert.True(upstream503 > 100, $"the faulty backend failed only {upstream503} attempts: the scenario did not happen");
        Assert.True(result.Succeeded >= Requests * 995 / 1000, $"success {result.Succeeded}/{Requests} is below 99.5 %: {result}");
        Assert.InRange(retries, 1, budget);
        // Every failed attempt was either retried or reached the client: nothing is retried without cause.
        Assert.Equal(upstream503, retries + clientFailures);
        mesh.Log.Note($"client sidecar /stats: {sidecar}");
        Assert.Equal(retries, sidecar["retries"]);
    }
}
