using MeshNet.ControlPlane.Indexing;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

public sealed class MeshSnapshotTests
{
    /// <summary>Enough resources to take the bulk path in one batch (more than 1024 changes).</summary>
    private static List<ResourceChange> ManyResources()
    {
        var changes = new List<ResourceChange>();
        for (var s = 0; s < 200; s++)
        {
            MeshResource[] resources =
            [
                Service("bench", $"svc-{s}", $"app=svc-{s},tier=web"),
                Pod("bench", $"svc-{s}-a", $"app=svc-{s},tier=web", $"127.16.{s}.1"),
                Pod("bench", $"svc-{s}-b", $"app=svc-{s}", $"127.16.{s}.2"),
                Sidecar("bench", $"svc-{s}-c", $"app=svc-{s},tier=web", $"127.17.{s}.3"),
                Service("bench", $"ext-{s}", null, [Port(80)]),
                Slice("bench", $"ext-{s}-1", $"ext-{s}", [new EndpointSetPort("", 8080, "TCP", null)], Entry($"127.17.{s}.3"), Entry("10.0.0.1")),
            ];
            changes.AddRange(resources.Select(r => new ResourceChange(r.Key, null, r)));
        }

        return changes;
    }

    private static string Describe(MeshIndex index) => string.Join("\n", index.Services
        .OrderBy(s => s.Key, ResourceKey.Ordinal)
        .Select(s => $"{s.Key}: " + string.Join(" ", s.Value.Ports.SelectMany(p => p.Endpoints).Select(e => $"{e.Workload}@{e.Address}:{e.Port}/{e.Meshed}"))));

    [Fact]
    public void Builds_TheSameIndexes_InBulkAsOneChangeAtATime()
    {
        var changes = ManyResources();
        var bulk = MeshSnapshot.Empty.Apply(changes);
        var incremental = MeshSnapshot.Empty;
        foreach (var change in changes)
        {
            incremental = incremental.Apply([change]);
        }

        Assert.Equal(Describe(MeshIndex.Build(incremental)), Describe(MeshIndex.Build(bulk)));
        // Pods a and c carry both selector labels; b lacks tier=web.
        Assert.Equal(2, MeshIndex.Build(bulk).Services[new ResourceKey(ResourceKinds.Service, "bench", "svc-7")].Ports.Single().Endpoints.Length);
        Assert.Equal(incremental.SelectorlessServices.Order(ResourceKey.Ordinal), bulk.SelectorlessServices.Order(ResourceKey.Ordinal));
    }

    [Fact]
    public void Removes_DeletedResources_FromEveryIndex()
    {
        var changes = ManyResources();
        var snapshot = MeshSnapshot.Empty.Apply(changes);
        var sidecar = snapshot.Workloads[new ResourceKey(ResourceKinds.Sidecar, "bench", "svc-3-c")];

        var after = snapshot.Apply([new ResourceChange(sidecar.Key, sidecar, null)]);

        Assert.Null(after.SidecarAt(sidecar.Address));
        Assert.DoesNotContain(after.WorkloadsSelectedBy("bench", Labels("app=svc-3")), w => w.Key == sidecar.Key);
        Assert.Equal(2, after.WorkloadsSelectedBy("bench", Labels("app=svc-3")).Count);
    }
}
