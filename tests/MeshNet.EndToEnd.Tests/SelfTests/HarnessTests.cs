using System.Net;
using System.Net.Sockets;
using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace MeshNet.EndToEnd.Tests.SelfTests;

/// <summary>The harness's own promises: failures are loud and carry output, addresses never collide.</summary>
public sealed class HarnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WaitForReady_Fails_WithTheProgramsOutput_WhenItExitsFirst()
    {
        var log = new TestLog(output);
        await using var process = ChildProcess.Start(
            "bad", "meshnet-testbackend", MeshBinaries.TestBackend, ["--name", "bad", "--bogus", "1"], log);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => process.WaitForReadyAsync(PodPorts.StartTimeout));

        Assert.Contains("exited with code 2 before it was ready", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown flag --bogus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForReady_TimesOut_WhenNoReadyLineComes()
    {
        var log = new TestLog(output);
        // The backend prints "meshnet-testbackend ready", never "meshnet-control ready".
        await using var process = ChildProcess.Start(
            "quiet", "meshnet-control", MeshBinaries.TestBackend, ["--name", "quiet", "--listen", "127.0.0.1:0"], log);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForReadyAsync(TimeSpan.FromSeconds(3)));

        Assert.Contains("printed no 'meshnet-control ready' line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NextPodAddress_SkipsAnAddressWhosePortIsTaken()
    {
        // Addresses are handed out in order, so the one after a fresh allocation is the next candidate.
        IPAddress probe;
        byte[] b;
        do
        {
            probe = LoopbackAddresses.NextPodAddress([PodPorts.AppHttp]);
            b = probe.GetAddressBytes();
        }
        while (b[3] >= 253);

        var next = new IPAddress([b[0], b[1], b[2], (byte)(b[3] + 1)]);
        using var squatter = new Socket(SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(next, PodPorts.AppHttp));
        squatter.Listen();

        var allocated = LoopbackAddresses.NextPodAddress([PodPorts.AppHttp]);

        Assert.NotEqual(next, allocated);
        Assert.NotEqual(probe, allocated);
    }

    [Theory]
    [InlineData("meshnet-proxy ready inbound=127.0.2.7:15006 outbound=127.0.2.7:15001 admin=127.0.2.7:15000", "outbound", "127.0.2.7:15001")]
    [InlineData("meshnet-control ready grpc=127.0.0.1:40111 admin=127.0.0.1:40112", "admin", "127.0.0.1:40112")]
    public void ReadyLine_ParsesTheBoundEndpoints(string line, string key, string expected)
    {
        var program = line[..line.IndexOf(" ready", StringComparison.Ordinal)];

        Assert.True(ReadyLine.TryParse(program, line, out var ready));
        Assert.Equal(IPEndPoint.Parse(expected), ready![key]);
    }

    [Fact]
    public void ReadyLine_IgnoresOtherPrograms()
    {
        Assert.False(ReadyLine.TryParse("meshnet-proxy", "meshnet-control ready grpc=127.0.0.1:1 admin=127.0.0.1:2", out _));
    }
}
