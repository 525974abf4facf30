using System.Net;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class PodAddressPoolTests
{
    [Fact]
    public void Hands_OutConsecutiveAddressesFromDotOne()
    {
        var pool = new PodAddressPool();

        Assert.Equal(["127.0.1.1", "127.0.1.2", "127.0.1.3"], [pool.Next().ToString(), pool.Next().ToString(), pool.Next().ToString()]);
    }

    [Fact]
    public void Moves_ToTheNextNetworkAfterDot254()
    {
        var pool = new PodAddressPool(IPAddress.Parse("127.0.40.0"));
        for (var i = 0; i < 253; i++)
        {
            pool.Next();
        }

        Assert.Equal("127.0.40.254", pool.Next().ToString());
        Assert.Equal("127.0.41.1", pool.Next().ToString());
    }

    [Fact]
    public void Rejects_NetworkOutsideLoopback()
    {
        var error = Assert.Throws<ArgumentException>(() => new PodAddressPool(IPAddress.Parse("10.0.1.0")));

        Assert.StartsWith("pod network 10.0.1.0 is not in 127.0.0.0/8", error.Message, StringComparison.Ordinal);
    }
}
