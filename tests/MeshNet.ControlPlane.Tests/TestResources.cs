using System.Collections.Immutable;
using MeshNet.ControlPlane.Indexing;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Tests;

/// <summary>Small builders for mesh resources, so tests state only what matters to them.</summary>
internal static class TestResources
{
    public static ImmutableDictionary<string, string> Labels(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToImmutableDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    public static ServicePort Port(int port, TargetPort? target = null, string name = "", string? appProtocol = null, string protocol = "TCP") =>
        new(name, port, protocol, target ?? TargetPort.FromNumber(port), appProtocol, null);

    public static MeshService Service(
        string ns,
        string name,
        string? selector = null,
        ServicePort[]? ports = null,
        ServiceType type = ServiceType.ClusterIP,
        bool publishNotReady = false,
        string[]? clusterIPs = null,
        string? externalName = null) =>
        new(
            ns,
            name,
            type,
            selector is null ? null : Labels(selector.Split(',')),
            [.. ports ?? [Port(80, TargetPort.FromNumber(8080))]],
            false,
            [.. clusterIPs ?? []],
            externalName,
            publishNotReady,
            SessionAffinity.None,
            10800,
            LabelSelector.Empty);

    public static Workload Pod(string ns, string name, string labels, string address, bool ready = true, params WorkloadPort[] ports) =>
        new(ResourceKinds.Pod, ns, name, Labels(labels.Split(',')), "default", address, [.. ports], ready, null, null, null);

    public static Workload Sidecar(string ns, string name, string labels, string address, bool ready = true, int inboundPort = 15006, params WorkloadPort[] ports) =>
        new(ResourceKinds.Sidecar, ns, name, Labels(labels.Split(',')), "default", address, [.. ports], ready, inboundPort, null, null);

    public static EndpointSet Slice(string ns, string name, string service, EndpointSetPort[] ports, params EndpointSetEntry[] entries) =>
        new(ns, name, service, "IPv4", [.. ports], [.. entries]);

    public static EndpointSetEntry Entry(string address, bool ready = true, string? pod = null) =>
        new([address], ready, null, pod);

    /// <summary>A snapshot holding exactly <paramref name="resources"/>.</summary>
    public static MeshSnapshot Snapshot(params MeshResource[] resources) =>
        MeshSnapshot.Empty.Apply([.. resources.Select(r => new ResourceChange(r.Key, null, r))]);

    public static MeshIndex Index(params MeshResource[] resources) => MeshIndex.Build(Snapshot(resources));
}
