using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

public sealed class EndpointResolverTests
{
    private static ServiceView Resolve(MeshService service, params MeshResource[] others) =>
        EndpointResolver.Resolve(service, Snapshot([service, .. others]));

    private static string Describe(ResolvedEndpoint e) =>
        $"{e.Workload} {e.Address}:{e.Port}->{e.TargetPort} ready={e.Ready} meshed={e.Meshed}";

    [Fact]
    public void Selects_MatchingWorkloads_OfBothKinds_InTheServiceNamespace()
    {
        var service = Service("blog", "posts", "app=posts");
        var view = Resolve(
            service,
            Pod("blog", "posts-1", "app=posts,version=v1", "127.0.1.1"),
            Sidecar("blog", "posts-2", "app=posts,version=v2", "127.0.1.2"),
            Pod("blog", "users-1", "app=users", "127.0.1.3"),
            Pod("other", "posts-x", "app=posts", "127.0.1.4"));

        Assert.Equal(
            ["blog/posts-1 127.0.1.1:8080->8080 ready=True meshed=False", "blog/posts-2 127.0.1.2:15006->8080 ready=True meshed=True"],
            view.Ports.Single().Endpoints.Select(Describe));
    }

    [Fact]
    public void Resolves_NamedTargetPort_PerWorkload_AndSkipsWorkloadsWithoutIt()
    {
        var service = Service("blog", "posts", "app=posts", [Port(80, TargetPort.FromName("http"))]);
        var view = Resolve(
            service,
            Pod("blog", "a", "app=posts", "127.0.1.1", true, new WorkloadPort("http", 8080, "TCP")),
            Pod("blog", "b", "app=posts", "127.0.1.2", true, new WorkloadPort("http", 9090, "TCP")),
            Pod("blog", "c", "app=posts", "127.0.1.3", true, new WorkloadPort("metrics", 9100, "TCP")),
            Pod("blog", "d", "app=posts", "127.0.1.4", true, new WorkloadPort("http", 7070, "UDP")));

        Assert.Equal(
            ["blog/a 127.0.1.1:8080->8080 ready=True meshed=False", "blog/b 127.0.1.2:9090->9090 ready=True meshed=False"],
            view.Ports.Single().Endpoints.Select(Describe));
    }

    [Fact]
    public void Keeps_UnreadyWorkloads_ListedButNotServing()
    {
        var view = Resolve(Service("blog", "posts", "app=posts"), Pod("blog", "a", "app=posts", "127.0.1.1", ready: false));

        var endpoint = Assert.Single(view.Ports.Single().Endpoints);
        Assert.False(endpoint.Ready);
        Assert.False(view.Serves(endpoint, view.Ports.Single()));
    }

    [Fact]
    public void Serves_UnreadyWorkloads_WhenPublishNotReadyAddresses()
    {
        var view = Resolve(Service("blog", "posts", "app=posts", publishNotReady: true), Pod("blog", "a", "app=posts", "127.0.1.1", ready: false));

        Assert.True(view.Serves(Assert.Single(view.Ports.Single().Endpoints), view.Ports.Single()));
    }

    [Fact]
    public void Prefers_RegisteredSidecar_OverManifestPodOfTheSameName()
    {
        var view = Resolve(
            Service("blog", "posts", "app=posts"),
            Pod("blog", "posts-1", "app=posts", "10.0.0.9"),
            Sidecar("blog", "posts-1", "app=posts", "127.0.1.1"));

        Assert.Equal(["blog/posts-1 127.0.1.1:15006->8080 ready=True meshed=True"], view.Ports.Single().Endpoints.Select(Describe));
    }

    [Fact]
    public void Skips_WorkloadsWithoutAddress()
    {
        var view = Resolve(Service("blog", "posts", "app=posts"), Pod("blog", "pending", "app=posts", ""));

        Assert.Empty(view.Ports.Single().Endpoints);
    }

    [Fact]
    public void Takes_EndpointSlices_ForSelectorlessService_MatchingPortByName()
    {
        var service = Service("blog", "db", null, [Port(5432, name: "pg"), Port(9187, name: "metrics")]);
        var view = Resolve(
            service,
            Slice("blog", "db-1", "db", [new EndpointSetPort("pg", 15432, "TCP", null)], Entry("10.1.0.1"), Entry("10.1.0.2", ready: false, pod: "db-b")),
            Slice("blog", "other-1", "other", [new EndpointSetPort("pg", 1, "TCP", null)], Entry("10.9.9.9")));

        Assert.Equal(
            [" 10.1.0.1:15432->15432 ready=True meshed=False", "blog/db-b 10.1.0.2:15432->15432 ready=False meshed=False"],
            view.Ports[0].Endpoints.Select(Describe));
        Assert.Empty(view.Ports[1].Endpoints);
    }

    [Fact]
    public void Merges_AnEndpointListedInTwoSlices_ReadyWhenAnyCopyIs()
    {
        var service = Service("blog", "db", null, [Port(5432, name: "pg")]);
        var pg = new EndpointSetPort("pg", 5432, "TCP", null);
        var view = Resolve(
            service,
            Slice("blog", "db-1", "db", [pg], Entry("10.1.0.1", ready: false), Entry("10.1.0.2")),
            Slice("blog", "db-2", "db", [pg], Entry("10.1.0.1")));

        Assert.Equal(
            [" 10.1.0.1:5432->5432 ready=True meshed=False", " 10.1.0.2:5432->5432 ready=True meshed=False"],
            view.Ports[0].Endpoints.Select(Describe));
    }

    [Fact]
    public void Routes_SliceAddressOfAMeshedWorkload_ThroughItsSidecar()
    {
        var view = Resolve(
            Service("blog", "legacy", null, [Port(80)]),
            Slice("blog", "legacy-1", "legacy", [new EndpointSetPort("", 8080, "TCP", null)], Entry("127.0.1.7")),
            Sidecar("blog", "legacy-pod", "app=legacy", "127.0.1.7", inboundPort: 15006));

        Assert.Equal(["blog/legacy-pod 127.0.1.7:15006->8080 ready=True meshed=True"], view.Ports.Single().Endpoints.Select(Describe));
    }

    [Fact]
    public void Gives_ExternalNameService_NoEndpoints()
    {
        var view = Resolve(
            Service("blog", "db", "app=db", type: ServiceType.ExternalName, externalName: "db.example.com"),
            Pod("blog", "a", "app=db", "127.0.1.1"));

        Assert.Empty(view.Ports.Single().Endpoints);
    }
}
