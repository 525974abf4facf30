using System.Diagnostics;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>Sidecar-registered workloads behind a selector Service: spreading load, and membership changes.</summary>
public sealed class RoutingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RoundRobin_SpreadsRequestsEvenlyOverThreeMeshedBackends()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest(), RoundRobinPolicy(BackendService));
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1", "backend-2", "backend-3");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        var tally = await mesh.SendAsync(BackendUrl, 300);

        bed.Log.Note(tally.ToString());
        Assert.Empty(tally.Failures);
        Assert.Equal(["backend-1", "backend-2", "backend-3"], tally.ByBackend.Keys.Order(StringComparer.Ordinal));
        Assert.All(tally.ByBackend.Values, count => Assert.InRange(count, 80, 120));
    }

    [Fact]
    public async Task Forwards_TheOriginalHostToTheBackend()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        foreach (var host in new[] { "backend", "backend.e2e", "backend.e2e.svc", "backend.e2e.svc.cluster.local", "backend.e2e:80" })
        {
            var response = await mesh.GetAsync("http://backend.e2e/some/path", host: host);

            Assert.True(response.Succeeded, $"{host}: {response}");
            Assert.Equal(host, response.Json.GetProperty("host").GetString());
            Assert.Equal("/some/path", response.Json.GetProperty("path").GetString());
            Assert.Equal(PodPorts.AppHttp, response.Json.GetProperty("port").GetInt32());
        }
    }

    [Fact]
    public async Task OutboundListener_RoutesAbsoluteFormRequests_SoAppsCanUseItAsHttpProxy()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var viaProxy = new HttpClient(new SocketsHttpHandler
        {
            Proxy = new System.Net.WebProxy($"http://{client.RequiredSidecar.Outbound}"),
            UseProxy = true,
        });

        // With a proxy configured, HttpClient sends "GET http://backend.e2e/proxied HTTP/1.1" to the sidecar.
        using var response = await viaProxy.GetAsync("http://backend.e2e/proxied");
        var body = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(await response.Content.ReadAsStringAsync());

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend-1", body.GetProperty("name").GetString());
        Assert.Equal("/proxied", body.GetProperty("path").GetString());
        Assert.Equal("backend.e2e", body.GetProperty("host").GetString());
    }

    [Fact]
    public async Task UnknownHost_Gets404NoRoute()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        var response = await mesh.GetAsync("http://nothing-here.e2e/");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.Status);
        Assert.Equal("no-route", response.MeshError);
    }

    [Fact]
    public async Task StoppedBackend_IsRemovedWithinTwoSeconds_AndNoRequestFailsAfterwards()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest(), RoundRobinPolicy(BackendService));
        var (client, backends) = await StartBackendsAndClientAsync(bed, "backend-1", "backend-2", "backend-3");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        var victim = backends[2];
        var survivors = backends[..2];

        var sinceKill = Stopwatch.StartNew();
        await victim.StopAsync();
        var killedAfter = sinceKill.Elapsed;
        await bed.WaitForEndpointsAsync(
            BackendService,
            endpoints => endpoints.All(e => e.Address != victim.Address.ToString()),
            TimeSpan.FromSeconds(2) - killedAfter,
            $"{victim.Address} is gone within 2 s of the kill");
        bed.Log.Note($"control plane dropped {victim.Name} {sinceKill.ElapsedMilliseconds} ms after the kill began ({killedAfter.TotalMilliseconds:F0} ms to kill)");
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, survivors.Select(b => b.Address), [victim.Address]);
        bed.Log.Note($"client sidecar applied the removal {sinceKill.ElapsedMilliseconds} ms after the kill began");

        var tally = await mesh.SendAsync(BackendUrl, 100);

        bed.Log.Note(tally.ToString());
        Assert.Empty(tally.Failures);
        Assert.Equal(["backend-1", "backend-2"], tally.ByBackend.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AddedReplica_JoinsTheRotation()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest(), RoundRobinPolicy(BackendService));
        var (client, backends) = await StartBackendsAndClientAsync(bed, "backend-1", "backend-2");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);

        var added = await bed.StartMeshedBackendAsync("backend-3", BackendLabels);
        var all = backends.Append(added).Select(b => b.Address).ToArray();
        await bed.WaitForReadyEndpointsAsync(BackendService, SettleTimeout, all);
        await bed.WaitForSidecarConfigAsync(client.RequiredSidecar, all);
        var tally = await mesh.SendAsync(BackendUrl, 150);

        bed.Log.Note(tally.ToString());
        Assert.Empty(tally.Failures);
        Assert.Equal(["backend-1", "backend-2", "backend-3"], tally.ByBackend.Keys.Order(StringComparer.Ordinal));
    }
}
