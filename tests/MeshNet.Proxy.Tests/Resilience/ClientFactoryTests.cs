using System.Collections.Immutable;
using MeshNet.Proxy.Configuration;
using MeshNet.Proxy.Forwarding;
using MeshNet.Proxy.Hosting;
using MeshNet.Proxy.Interception;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace MeshNet.Proxy.Tests.Resilience;

public sealed class ClientFactoryTests
{
    [Fact]
    public void KeepsTheClient_WhenTransportLimitsAreUnchanged_AndReplacesItWhenOneChanges()
    {
        var factory = new MeshForwarderHttpClientFactory(new SocketMarker(new ProxyOptions { Mark = 0, Labels = ImmutableDictionary<string, string>.Empty }, NullLogger<SocketMarker>.Instance));
        var limits = new Dictionary<string, string> { [MeshMetadata.ConnectTimeoutMs] = "1000", [MeshMetadata.MaxConnections] = "10", [MeshMetadata.Service] = "blog/posts" };
        using var first = factory.CreateClient(new ForwarderHttpClientContext { ClusterId = "c", NewConfig = HttpClientConfig.Empty, NewMetadata = limits });

        // Endpoint and weight changes rebuild the cluster but leave the limits alone: same client, warm connections.
        var sameLimits = new Dictionary<string, string>(limits) { [MeshMetadata.Service] = "blog/posts" };
        var reused = factory.CreateClient(new ForwarderHttpClientContext
        {
            ClusterId = "c",
            OldClient = first,
            OldConfig = HttpClientConfig.Empty,
            OldMetadata = limits,
            NewConfig = HttpClientConfig.Empty,
            NewMetadata = sameLimits,
        });
        using var replaced = factory.CreateClient(new ForwarderHttpClientContext
        {
            ClusterId = "c",
            OldClient = first,
            OldConfig = HttpClientConfig.Empty,
            OldMetadata = limits,
            NewConfig = HttpClientConfig.Empty,
            NewMetadata = new Dictionary<string, string>(limits) { [MeshMetadata.MaxConnections] = "20" },
        });

        Assert.Same(first, reused);
        Assert.NotSame(first, replaced);
    }
}
