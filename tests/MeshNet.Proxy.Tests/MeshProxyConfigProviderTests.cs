using MeshNet.Proxy.Configuration;
using static MeshNet.Proxy.Tests.Infrastructure.MeshConfig;

namespace MeshNet.Proxy.Tests;

public sealed class MeshProxyConfigProviderTests
{
    [Fact]
    public void Update_SwapsTheConfig_AndSignalsTheOldToken()
    {
        var provider = new MeshProxyConfigProvider();
        var before = provider.GetConfig();
        var signalled = 0;
        using var registration = before.ChangeToken.RegisterChangeCallback(_ => signalled++, null);

        var snapshot = SnapshotUpdater.TryApply(ProxySnapshot.Empty, Full("5",
            [VirtualHost("blog", "posts", 80, "blog")],
            [Cluster("blog", "posts", 80, Meshed(15006, 8080, "127.0.1.2"), Plain(9000, "fd00::7"))]), out var error)!;
        Assert.Null(error);
        provider.Update(snapshot);

        var after = provider.GetConfig();
        Assert.Equal(1, signalled);
        Assert.True(before.ChangeToken.HasChanged);
        Assert.False(after.ChangeToken.HasChanged);
        Assert.Equal("5", after.RevisionId);
        Assert.Empty(after.Routes);
        var cluster = Assert.Single(after.Clusters);
        Assert.Equal("outbound|80||posts.blog.svc.cluster.local", cluster.ClusterId);
        Assert.Equal("RoundRobin", cluster.LoadBalancingPolicy);
        var meshed = cluster.Destinations!["127.0.1.2:15006"];
        Assert.Equal("http://127.0.1.2:15006", meshed.Address);
        Assert.Equal("true", meshed.Metadata!["meshnet.io/meshed"]);
        Assert.Equal("8080", meshed.Metadata["meshnet.io/target-port"]);
        Assert.Equal("http://[fd00::7]:9000", cluster.Destinations["[fd00::7]:9000"].Address);
    }

    [Fact]
    public void CallbackRegisteredAfterTheSignal_RunsAtOnce()
    {
        var token = new SignalChangeToken();
        token.Signal();
        var ran = false;

        token.RegisterChangeCallback(_ => ran = true, null).Dispose();

        Assert.True(ran);
    }

    [Fact]
    public void DisposedRegistration_IsNotCalled()
    {
        var token = new SignalChangeToken();
        var ran = false;
        token.RegisterChangeCallback(_ => ran = true, null).Dispose();

        token.Signal();

        Assert.False(ran);
    }
}
