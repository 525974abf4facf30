using Google.Protobuf;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.ControlPlane.Indexing;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Tests.Identity;

/// <summary>The trust bundle rides the discovery stream: whole in a first response, then only when it changed.</summary>
public sealed class TrustBundlePushTests
{
    private static readonly ProxyIdentity Sidecar = new("blog", "posts-1", []);

    [Fact]
    public void TheFirstResponse_CarriesTheBundle()
    {
        var cache = new ProxySnapshotCache(new MeshConfigCompiler());
        cache.SetTrustBundle(Bundle("root-a", "aa"));
        var watch = cache.Watch(Sidecar, () => { });

        var response = DeltaBuilder.Full(watch.Current, "1");

        Assert.Equal(Bundle("root-a", "aa"), response.TrustBundle);
    }

    [Fact]
    public void ANewBundle_IsANewVersion_WhoseDeltaHoldsTheBundleAlone()
    {
        var cache = new ProxySnapshotCache(new MeshConfigCompiler());
        cache.SetTrustBundle(Bundle("root-a", "aa"));
        var changes = 0;
        var watch = cache.Watch(Sidecar, () => changes++);
        var acked = watch.Current;

        cache.SetTrustBundle(Bundle("root-a", "aa", "root-b"));
        var delta = DeltaBuilder.Delta(acked.Config, watch.Current, "2");

        Assert.Equal(1, changes);
        Assert.NotEqual(acked.Version, watch.Current.Version);
        Assert.Equal(Bundle("root-a", "aa", "root-b"), delta.TrustBundle);
        Assert.Empty(delta.Clusters);
        Assert.Empty(delta.VirtualHosts);
        Assert.Empty(delta.DnsServices);
        Assert.Null(delta.Inbound);
    }

    [Fact]
    public void TheSameBundleAgain_IsNoNewVersion()
    {
        var cache = new ProxySnapshotCache(new MeshConfigCompiler());
        cache.SetTrustBundle(Bundle("root-a", "aa"));
        var changes = 0;
        var watch = cache.Watch(Sidecar, () => changes++);

        cache.SetTrustBundle(Bundle("root-a", "aa"));
        cache.Publish(MeshIndex.Empty);

        Assert.Equal(0, changes);
    }

    [Fact]
    public void ADeltaForAnotherChange_LeavesTheUnchangedBundleOut()
    {
        var cache = new ProxySnapshotCache(new MeshConfigCompiler());
        cache.SetTrustBundle(Bundle("root-a", "aa"));
        var watch = cache.Watch(Sidecar, () => { });
        var acked = watch.Current;
        var next = new VersionedConfig("9", acked.Config with { Inbound = new Inbound { Mtls = MtlsMode.Strict } });

        var delta = DeltaBuilder.Delta(acked.Config, next, "3");

        Assert.Null(delta.TrustBundle);
        Assert.NotNull(delta.Inbound);
    }

    [Fact]
    public void ANewSigner_AloneIsAChange()
    {
        var cache = new ProxySnapshotCache(new MeshConfigCompiler());
        cache.SetTrustBundle(Bundle("root-a", "aa"));
        var watch = cache.Watch(Sidecar, () => { });
        var acked = watch.Current;

        cache.SetTrustBundle(Bundle("root-a", "bb"));

        Assert.Equal("bb", DeltaBuilder.Delta(acked.Config, watch.Current, "4").TrustBundle.SignerSha256);
    }

    // Placeholder bytes are enough here: the control plane pushes what its CA holds and never parses it back.
    private static TrustBundle Bundle(string root, string signer, string? second = null)
    {
        var bundle = new TrustBundle { SignerSha256 = signer };
        bundle.Roots.Add(ByteString.CopyFromUtf8(root));
        if (second is not null)
        {
            bundle.Roots.Add(ByteString.CopyFromUtf8(second));
        }

        return bundle;
    }
}
