using MeshNet.Dns.Tests.TestSupport;
using static MeshNet.Dns.Tests.TestSupport.DnsQueryBuilder;

namespace MeshNet.Dns.Tests;

/// <summary>Counts bytes, not time: answering from the table must not allocate on the managed heap.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData("posts.blog.svc.cluster.local", A)]
    [InlineData("_cql._tcp.cassandra.blog.svc.cluster.local", Srv)]
    [InlineData("nope.blog.svc.cluster.local", A)]
    [InlineData("20.0.96.10.in-addr.arpa", Ptr)]
    [InlineData("example.com", A)]
    public void Responds_WithoutAllocating(string name, ushort type)
    {
        var responder = new DnsResponder(BlogZone.Table());
        var query = Query(name, type, ednsSize: 1232);
        var buffer = new byte[DnsResponder.MaxMessageSize];
        for (var i = 0; i < 100; i++)
        {
            responder.Respond(query, buffer, DnsTransport.Udp);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            responder.Respond(query, buffer, DnsTransport.Udp);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
