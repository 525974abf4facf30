using System.Diagnostics;
using System.Globalization;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.MeshScenario;

namespace MeshNet.EndToEnd.Tests;

/// <summary>
/// Measures, and only prints, how long a manifest edit takes to reach a sidecar as an ACKed config: the file
/// watcher, the debounce (100 ms quiet, 1 s max here), compiling, sending, applying and the ACK round trip.
/// </summary>
public sealed class PropagationTimingTests(ITestOutputHelper output)
{
    private const int Samples = 5;

    [Fact]
    public async Task ManifestEdit_IsAckedByTheSidecar_AndTheDelayIsReported()
    {
        await using var bed = await MeshTestBed.StartAsync(output, BackendServiceManifest());
        var (client, _) = await StartBackendsAndClientAsync(bed, "backend-1");
        using var mesh = new MeshClient(client.RequiredSidecar.Outbound);
        var timings = new List<TimeSpan>();

        for (var i = 0; i < Samples; i++)
        {
            var acked = (await bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"))?.AckedVersion;
            var service = string.Create(CultureInfo.InvariantCulture, $"timing-{i}");
            var clock = Stopwatch.StartNew();
            bed.Manifests.Write("timing.yaml", Manifests.Service(
                MeshTestBed.Namespace, service, BackendLabels, new ServicePortSpec("http", 80, MeshTestBed.HttpPortName)));
            var (proxy, _) = await Poll.UntilAsync(
                () => bed.Admin.ProxyAsync(MeshTestBed.Namespace, "client"),
                p => p is not null && p.AckedVersion != acked && p.AckedVersion == p.SentVersion,
                SettleTimeout,
                $"the client ACKs a version after {acked}",
                interval: TimeSpan.FromMilliseconds(5));
            var elapsed = clock.Elapsed;
            timings.Add(elapsed);
            bed.Log.Note($"edit -> ACK of {proxy!.AckedVersion}: {elapsed.TotalMilliseconds:F0} ms");

            var routed = await mesh.GetAsync($"http://{service}.e2e/");
            Assert.True(routed.Succeeded, $"{service}: {routed}");
        }

        var sorted = timings.Order().ToArray();
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"manifest edit -> sidecar ACK over {Samples} edits: min {sorted[0].TotalMilliseconds:F0} ms, median {sorted[Samples / 2].TotalMilliseconds:F0} ms, max {sorted[^1].TotalMilliseconds:F0} ms");
        bed.Log.Note(summary);
        Console.WriteLine(summary);
    }
}
