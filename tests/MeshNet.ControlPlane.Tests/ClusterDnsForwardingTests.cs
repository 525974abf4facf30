using System.Net;
using System.Net.Sockets;
using MeshNet.ControlPlane.ClusterDns;
using MeshNet.ControlPlane.Hosting;
using MeshNet.Dns;
using MeshNet.Dns.Server;
using Microsoft.Extensions.Logging;

namespace MeshNet.ControlPlane.Tests;

/// <summary>Names outside the cluster zone go to the upstream resolver; here a second DNS server on loopback plays it.</summary>
public sealed class ClusterDnsForwardingTests : IAsyncLifetime
{
    private DnsServer _upstream = null!;
    private ControlPlaneApp _app = null!;

    public async Task InitializeAsync()
    {
        var table = DnsRecordTable.Build(
            [new MeshNet.Dns.DnsService("www", "corp") { ClusterIPs = [IPAddress.Parse("192.0.2.7")] }],
            options: new DnsTableOptions { Zone = "example.test" });
        _upstream = new DnsServer(new DnsResponder(table), new DnsServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        _upstream.Start();
        var options = ControlPlaneOptions.Parse([
            "--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--dns-upstream", _upstream.LocalEndPoint.ToString()]);
        _app = ControlPlaneApp.Create(options, logging: l => l.ClearProviders());
        await _app.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Forwards_NamesOutsideTheZone_ToTheUpstream()
    {
        var reply = await QueryAsync("www.corp.svc.example.test");

        // The answer's RDATA, the last four bytes of a reply holding one A record.
        Assert.Equal(IPAddress.Parse("192.0.2.7").GetAddressBytes(), reply[^4..]);
    }

    [Fact]
    public void Reads_TheFirstNameserver_FromResolvConf()
    {
        var path = Path.Combine(Path.GetTempPath(), "mnt-resolv-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            File.WriteAllText(path, "# generated\nsearch example\nnameserver not-an-ip\nnameserver 127.0.0.53\nnameserver 10.0.0.2\noptions edns0\n");

            Assert.Equal(IPEndPoint.Parse("127.0.0.53:53"), ResolvConf.FirstNameserver(path));
            Assert.Null(ResolvConf.FirstNameserver(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<byte[]> QueryAsync(string name)
    {
        var query = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        query.AddRange([0, 0, 1, 0, 1]);
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(_app.Dns.LocalEndPoint!);
        await udp.SendAsync(query.ToArray());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await udp.ReceiveAsync(deadline.Token);
        Assert.Equal(0x12, result.Buffer[0]);
        Assert.Equal(0, result.Buffer[3] & 0x0f);
        Assert.Equal(1, (result.Buffer[6] << 8) | result.Buffer[7]);
        return result.Buffer;
    }
}
