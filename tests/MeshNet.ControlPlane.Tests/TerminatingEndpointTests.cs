using MeshNet.ControlPlane.Indexing;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

/// <summary>
/// Terminating endpoints as kube-proxy treats them: a pod that is shutting down is not ready, but while it still
/// answers (serving) it takes traffic when no endpoint of the port is ready, so a rollout that takes every pod down
/// at once drains instead of failing.
/// </summary>
public sealed class TerminatingEndpointTests
{
    private static readonly EndpointSetPort[] HttpPort = [new("http", 8080, "TCP", null)];

    private static ServiceView Resolve(MeshService service, params MeshResource[] others) =>
        EndpointResolver.Resolve(service, Snapshot([service, .. others]));

    private static string[] Serving(ServiceView view)
    {
        var port = view.Ports.Single();
        return [.. port.Endpoints.Where(e => view.Serves(e, port)).Select(e => e.Address)];
    }

    private static Workload Terminating(Workload pod) => pod with { Terminating = true };

    [Fact]
    public void TerminatingPod_IsNotReady_AndServesNothing_WhileAnotherPodIsReady()
    {
        var view = Resolve(
            Service("blog", "posts", "app=posts"),
            Terminating(Pod("blog", "old", "app=posts", "127.0.1.1")),
            Pod("blog", "new", "app=posts", "127.0.1.2"));

        var endpoints = view.Ports.Single().Endpoints;
        Assert.False(endpoints.Single(e => e.Address == "127.0.1.1").Ready);
        Assert.Equal(["127.0.1.2"], Serving(view));
    }

    [Fact]
    public void ServingTerminatingPods_TakeTraffic_WhenNoEndpointIsReady()
    {
        var view = Resolve(
            Service("blog", "posts", "app=posts"),
            Terminating(Pod("blog", "a", "app=posts", "127.0.1.1")),
            Terminating(Pod("blog", "b", "app=posts", "127.0.1.2")),
            // Terminating and failing its readiness probe: it no longer answers, so it is never used.
            Terminating(Pod("blog", "c", "app=posts", "127.0.1.3", ready: false)));

        Assert.Equal(["127.0.1.1", "127.0.1.2"], Serving(view));
    }

    [Fact]
    public void RegisteredSidecar_OfATerminatingPod_IsTerminatingToo()
    {
        var view = Resolve(
            Service("blog", "posts", "app=posts"),
            Terminating(Pod("blog", "posts-1", "app=posts", "10.0.0.9")),
            Sidecar("blog", "posts-1", "app=posts", "10.0.0.9"),
            Sidecar("blog", "posts-2", "app=posts", "10.0.0.10"));

        var port = view.Ports.Single();
        var leaving = port.Endpoints.Single(e => e.Address == "10.0.0.9");
        Assert.True(leaving.Meshed);
        Assert.False(leaving.Ready);
        Assert.True(leaving.ServingTerminating);
        Assert.Equal(["10.0.0.10"], Serving(view));
    }

    [Fact]
    public void EndpointSliceConditions_FollowTheApi_ServingUnsetDefersToReady()
    {
        var service = Service("blog", "external", selector: null, ports: [Port(80, TargetPort.FromNumber(8080), name: "http")]);
        var slice = Slice("blog", "external-1", "external", HttpPort,
            new EndpointSetEntry(["10.1.0.1"], Ready: false, null, null, Serving: true, Terminating: true),
            new EndpointSetEntry(["10.1.0.2"], Ready: false, null, null, Serving: false, Terminating: true),
            // serving unset on a terminating, not-ready endpoint: it defers to ready, so it does not serve.
            new EndpointSetEntry(["10.1.0.3"], Ready: false, null, null, Serving: null, Terminating: true));

        Assert.Equal(["10.1.0.1"], Serving(Resolve(service, slice)));

        var withReady = slice with { Endpoints = [.. slice.Endpoints, Entry("10.1.0.4")] };
        Assert.Equal(["10.1.0.4"], Serving(Resolve(service, withReady)));
    }
}
