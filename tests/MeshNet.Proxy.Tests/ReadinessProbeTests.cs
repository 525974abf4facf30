using MeshNet.Protocol.V1;
using MeshNet.Proxy.Discovery;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Interception;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshNet.Proxy.Tests;

public sealed class ReadinessProbeTests
{
    private static readonly WorkloadStatus Ok = new() { Ready = true };
    private static readonly WorkloadStatus Failed = new() { Ready = false, Reason = "readiness probe failed: timed out" };

    private static ReadinessProbe Probe(int threshold)
    {
        var options = new ProxyOptions { ProbeFailureThreshold = threshold };
        return new ReadinessProbe(options, new SocketMarker(options, NullLogger<SocketMarker>.Instance), TimeProvider.System, NullLogger<ReadinessProbe>.Instance);
    }

    [Fact]
    public void AReadyApp_TurnsUnready_OnlyAfterThresholdFailuresInARow()
    {
        using var probe = Probe(threshold: 3);
        Publish(probe, Ok);

        Assert.True(probe.Debounce(Failed).Ready);
        Assert.True(probe.Debounce(Failed).Ready);
        Assert.False(probe.Debounce(Failed).Ready);
    }

    [Fact]
    public void ASuccess_ResetsTheFailureCount()
    {
        using var probe = Probe(threshold: 2);
        Publish(probe, Ok);

        Assert.True(probe.Debounce(Failed).Ready);
        Assert.True(probe.Debounce(Ok).Ready);
        Assert.True(probe.Debounce(Failed).Ready);
        Assert.False(probe.Debounce(Failed).Ready);
    }

    [Fact]
    public void AnAppNeverSeenReady_StaysUnready_FromTheFirstFailure()
    {
        using var probe = Probe(threshold: 3);

        Assert.False(probe.Debounce(Failed).Ready);
    }

    // What the probe loop does with each result.
    private static void Publish(ReadinessProbe probe, WorkloadStatus status) => probe.Publish(probe.Debounce(status));
}
