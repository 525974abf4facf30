using System.Net;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>The test backend's fault modes, spoken to directly: what the traffic scenarios rely on it to do.</summary>
public sealed class TestBackendFaultTests(ITestOutputHelper output)
{
    private static readonly HttpClient Direct = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task FailRate_FailsExactlyThatShare_AndStatsCountEveryOutcome()
    {
        await using var backend = await StartAsync("faulty", "--fail-rate", "0.3", "--fail-status", "503");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            using var response = await Direct.GetAsync($"http://{backend.Http}/x");
            Assert.Equal("faulty", Assert.Single(response.Headers.GetValues(MeshClient.BackendHeader)));
            statuses.Add(response.StatusCode);
        }

        var stats = await backend.Control.StatsAsync();
        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(100, stats.Requests);
        Assert.Equal(30, stats.Failed);
        Assert.Equal(30, stats.Status(503));
        Assert.Equal(70, stats.Status(200));
    }

    [Fact]
    public async Task HealthAndControlEndpoints_AreNeverFaulted_NorCounted()
    {
        await using var backend = await StartAsync("sick", "--fail-rate", "1", "--fail-status", "500");

        using var health = await Direct.GetAsync($"http://{backend.Http}/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(0, (await backend.Control.StatsAsync()).Requests);
    }

    [Fact]
    public async Task Reset_AbortsTheConnection_AndHang_AnswersNever_UntilTheCallerGivesUp()
    {
        await using var backend = await StartAsync("rude");

        await backend.Control.SetFaultsAsync(new BackendFaults(Reset: true));
        await Assert.ThrowsAsync<HttpRequestException>(() => Direct.GetAsync($"http://{backend.Http}/reset"));

        await backend.Control.SetFaultsAsync(new BackendFaults(Hang: true));
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Direct.GetAsync($"http://{backend.Http}/hang", giveUp.Token));

        await backend.Control.ClearFaultsAsync();
        using var healed = await Direct.GetAsync($"http://{backend.Http}/ok");
        var stats = await backend.Control.StatsAsync();
        Assert.Equal(HttpStatusCode.OK, healed.StatusCode);
        Assert.Equal((3, 1, 1, 1), (stats.Requests, stats.Reset, stats.Hung, stats.Ok));
    }

    [Fact]
    public async Task RejectsAnOutOfRangeFailRate()
    {
        await using var backend = await StartAsync("strict");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => backend.Control.SetFaultsAsync(new BackendFaults(FailRate: 1.5)));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    private async Task<BackendProcess> StartAsync(string name, params string[] flags) =>
        await BackendProcess.StartAsync(name, LoopbackAddresses.NextPodAddress(PodPorts.All), new TestLog(output), flags);
}
