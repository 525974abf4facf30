using System.Net;
using MeshNet.Dns;
using MeshNet.Dns.Server;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Tests.Infrastructure;
using Proto = MeshNet.Protocol.V1;

namespace MeshNet.Proxy.Tests;

/// <summary>The sidecar's DNS proxy, queried with dig: streamed cluster names, outage, upstream forwarding, NACKs.</summary>
public sealed class DnsProxyTests
{
    [Fact]
    public async Task Answers_ClusterNamesFromTheStreamedTable()
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, WithDns("1", Posts(), Headless()));

        Assert.Equal(["10.96.0.12"], await Dig.ShortAsync(sidecar.DnsPort, "posts.blog.svc.cluster.local"));
        Assert.Equal(["10.96.0.12"], await Dig.ShortAsync(sidecar.DnsPort, "posts.blog.svc.cluster.local", tcp: true));
        Assert.Equal(["0 100 80 posts.blog.svc.cluster.local."], await Dig.ShortAsync(sidecar.DnsPort, "_http._tcp.posts.blog.svc.cluster.local", "SRV"));
        Assert.Equal(["10.244.0.8"], await Dig.ShortAsync(sidecar.DnsPort, "pod-0.posts-headless.blog.svc.cluster.local"));
        Assert.Equal(["posts.blog.svc.cluster.local."], await Dig.ShortAsync(sidecar.DnsPort, "12.0.96.10.in-addr.arpa", "PTR"));
        Assert.Equal("NXDOMAIN", await Dig.StatusAsync(sidecar.DnsPort, "nope.blog.svc.cluster.local"));
    }

    [Fact]
    public async Task KeepsAnswering_AfterTheControlPlaneStops()
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, WithDns("1", Posts()));

        await controlPlane.StopAsync();

        Assert.Equal(["10.96.0.12"], await Dig.ShortAsync(sidecar.DnsPort, "posts.blog.svc.cluster.local"));
    }

    [Fact]
    public async Task AppliesDeltas_AndRemovals()
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, WithDns("1", Posts()));

        var delta = MeshConfig.Delta("2");
        delta.DnsServices.Add(Service("users", "10.96.0.20"));
        delta.RemovedDnsServices.Add("blog/posts");
        await Sidecar.AcceptAsync(controlPlane, delta);

        Assert.Equal(["10.96.0.20"], await Dig.ShortAsync(sidecar.DnsPort, "users.blog.svc.cluster.local"));
        Assert.Equal("NXDOMAIN", await Dig.StatusAsync(sidecar.DnsPort, "posts.blog.svc.cluster.local"));
    }

    [Fact]
    public async Task KeepsTheTable_ThroughDeltasThatLeaveDnsAlone()
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, WithDns("1", Posts()));

        await Sidecar.AcceptAsync(controlPlane, MeshConfig.Delta("2", clusters: [MeshConfig.Cluster("blog", "posts", 80, MeshConfig.Plain(8080))]));

        Assert.Equal(["10.96.0.12"], await Dig.ShortAsync(sidecar.DnsPort, "posts.blog.svc.cluster.local"));
    }

    [Fact]
    public async Task Forwards_OtherNamesToTheUpstream()
    {
        var upstreamTable = DnsRecordTable.Build([new MeshNet.Dns.DnsService("db", "corp") { ClusterIPs = [IPAddress.Parse("192.0.2.7")] }], options: new DnsTableOptions { Zone = "example.test" });
        await using var upstream = new DnsServer(new DnsResponder(upstreamTable), new DnsServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        upstream.Start();
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane, dnsUpstream: upstream.LocalEndPoint);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, WithDns("1", Posts()));

        Assert.Equal(["192.0.2.7"], await Dig.ShortAsync(sidecar.DnsPort, "db.corp.svc.example.test"));
        Assert.Equal(["192.0.2.7"], await Dig.ShortAsync(sidecar.DnsPort, "db.corp.svc.example.test", tcp: true));
        Assert.Equal(["10.96.0.12"], await Dig.ShortAsync(sidecar.DnsPort, "posts.blog.svc.cluster.local"));
    }

    [Fact]
    public async Task AnswersServfail_ForOtherNames_WithoutAnUpstream()
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, WithDns("1", Posts()));

        Assert.Equal("SERVFAIL", await Dig.StatusAsync(sidecar.DnsPort, "db.corp.example.test"));
    }

    [Theory]
    [InlineData("not-an-ip", "dns service \"blog/posts\": cluster_ips \"not-an-ip\" is not an IP address")]
    [InlineData("10.96.0.12", "dns service \"blog/posts\": key must be \"blog/posts\" (namespace/name)", "wrong/key")]
    public async Task Nacks_AnInvalidDnsService_AndKeepsTheLastGoodTable(string clusterIp, string expected, string? key = null)
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, WithDns("1", Posts()));

        var bad = Service("posts", clusterIp);
        if (key is not null)
        {
            bad.Key = key;
            expected = expected.Replace("\"blog/posts\": key", $"\"{key}\": key", StringComparison.Ordinal);
        }

        var delta = MeshConfig.Delta("2");
        delta.DnsServices.Add(bad);
        var answer = await Sidecar.PushAsync(controlPlane, delta);

        Assert.Equal(expected, answer.ErrorDetail?.Message);
        Assert.Equal(["10.96.0.12"], await Dig.ShortAsync(sidecar.DnsPort, "posts.blog.svc.cluster.local"));
    }

    [Fact]
    public async Task Config_ShowsTheDnsTableSize()
    {
        await using var controlPlane = await FakeControlPlane.StartAsync();
        await using var sidecar = await Sidecar.StartAsync(controlPlane);
        await controlPlane.NextRequestAsync();
        await Sidecar.AcceptAsync(controlPlane, WithDns("1", Posts()));

        var json = System.Text.Json.JsonDocument.Parse(await sidecar.Client.GetStringAsync($"http://127.0.0.1:{sidecar.AdminPort}/config"));
        var dns = json.RootElement.GetProperty("dns");

        Assert.Equal(1, dns.GetProperty("services").GetInt32());
        Assert.True(dns.GetProperty("names").GetInt32() > 1);
        Assert.Equal("cluster.local", dns.GetProperty("zone").GetString());
        Assert.Equal("1", json.RootElement.GetProperty("versionInfo").GetString());
    }

    internal static DiscoveryResponse WithDns(string version, params Proto.DnsService[] services)
    {
        var response = MeshConfig.Full(version, [], []);
        response.DnsZone = new DnsZone { Zone = "cluster.local", Namespaces = { "blog", "default" } };
        response.DnsServices.Add(services);
        return response;
    }

    internal static Proto.DnsService Service(string name, string clusterIp)
    {
        var service = new Proto.DnsService { Key = $"blog/{name}", Namespace = "blog", Name = name };
        service.ClusterIps.Add(clusterIp);
        service.Ports.Add(new Proto.DnsPort { Name = "http", Port = 80, Protocol = "TCP" });
        return service;
    }

    private static Proto.DnsService Posts() => Service("posts", "10.96.0.12");

    private static Proto.DnsService Headless()
    {
        var service = new Proto.DnsService { Key = "blog/posts-headless", Namespace = "blog", Name = "posts-headless", Headless = true };
        service.Ports.Add(new Proto.DnsPort { Name = "http", Port = 8080, Protocol = "TCP" });
        service.Endpoints.Add(new Proto.DnsEndpoint { Addresses = { "10.244.0.8" }, Hostname = "pod-0", Ready = true });
        return service;
    }
}
