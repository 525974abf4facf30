using Google.Protobuf.WellKnownTypes;
using MeshNet.Protocol.V1;
using MeshNet.Proxy.Configuration;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests.Configuration;

public sealed class YarpClusterTranslatorTests
{
    [Fact]
    public void TransportLimits_GoIntoClusterMetadata_InWholeMilliseconds()
    {
        var cluster = Cluster("blog", "posts", 80, Plain(9001));
        cluster.Timeouts = new Timeouts { Connect = new Duration { Seconds = 1, Nanos = 250_000_000 }, Idle = new Duration { Seconds = 300 }, Request = new Duration { Seconds = 2 } };
        cluster.CircuitBreaker = new CircuitBreaker { MaxConnections = 100, MaxRequests = 1000 };

        var metadata = Translate(cluster).Metadata!;

        Assert.Equal("1250", metadata["meshnet.io/connect-timeout-ms"]);
        Assert.Equal("300000", metadata["meshnet.io/idle-timeout-ms"]);
        Assert.Equal("100", metadata["meshnet.io/max-connections"]);
    }

    [Fact]
    public void TransportLimits_AreAbsent_WhenUnset()
    {
        var cluster = Cluster("blog", "posts", 80, Plain(9001));
        cluster.Timeouts = new Timeouts { Request = new Duration { Seconds = 2 } };
        cluster.CircuitBreaker = new CircuitBreaker { MaxRequests = 10 };

        var metadata = Translate(cluster).Metadata!;

        Assert.DoesNotContain("meshnet.io/connect-timeout-ms", metadata.Keys);
        Assert.DoesNotContain("meshnet.io/idle-timeout-ms", metadata.Keys);
        Assert.DoesNotContain("meshnet.io/max-connections", metadata.Keys);
    }

    [Fact]
    public void WeightsBalancerAndRetryPolicy_LeaveTheYarpClusterEqual_SoItsClientIsKept()
    {
        var virtualHost = VirtualHost("blog", "posts", 80, "blog");
        var cluster = Cluster("blog", "posts", 80, Plain(9001), Plain(9002));
        var before = Translate(cluster, virtualHost);

        virtualHost.Routes[0].Clusters[0].Weight = 7;
        cluster.LoadBalancer = new LoadBalancer { Type = LoadBalancer.Types.Type.LeastRequest };
        cluster.Retries = new RetryPolicy { Attempts = 3 };
        cluster.SessionAffinity = new SessionAffinity { Timeout = new Duration { Seconds = 60 } };

        Assert.Equal(before, Translate(cluster, virtualHost));
    }

    private static Yarp.ReverseProxy.Configuration.ClusterConfig Translate(Cluster cluster, VirtualHost? virtualHost = null)
    {
        var snapshot = SnapshotUpdater.TryApply(ProxySnapshot.Empty, Full("1", [virtualHost ?? VirtualHost("blog", "posts", 80, "blog")], [cluster.Clone()]), out var error)
            ?? throw new InvalidOperationException(error);
        return Assert.Single(YarpClusterTranslator.ToClusters(snapshot));
    }
}
