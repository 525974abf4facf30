using System.Collections.Immutable;
using MeshNet.ControlPlane.Compilation;
using MeshNet.ControlPlane.Discovery;
using MeshNet.Model;
using MeshNet.Protocol.V1;

namespace MeshNet.ControlPlane.Tests.Telemetry;

public sealed class TelemetryCompilerTests
{
    private static ProxyIdentity Proxy(string name, string? owner = null, string? accessLog = null) => new(
        "blog",
        name,
        [],
        Annotations: accessLog is null ? null : ImmutableDictionary<string, string>.Empty.Add(TelemetryCompiler.AccessLogAnnotation, accessLog),
        Owner: owner);

    [Theory]
    [InlineData("posts-7d9f8b6c5-x2x9z", "posts", "posts")]
    [InlineData("db-0", null, "db-0")]
    public void NamesTheWorkload_ByItsOwner_ElseThePod(string pod, string? owner, string expected) =>
        Assert.Equal(expected, TelemetryCompiler.Compile(Proxy(pod, owner)).Workload);

    [Theory]
    [InlineData(null, AccessLogFormat.AccessLogOff)]
    [InlineData("json", AccessLogFormat.AccessLogJson)]
    [InlineData("off", AccessLogFormat.AccessLogOff)]
    [InlineData("xml", AccessLogFormat.AccessLogOff)]
    public void TurnsTheAccessLogOn_OnlyForJson(string? annotation, AccessLogFormat expected) =>
        Assert.Equal(expected, TelemetryCompiler.Compile(Proxy("posts-0", accessLog: annotation)).AccessLog);

    [Fact]
    public void Reports_AnInvalidAccessLogValue_OnThePod_NamingTheAnnotation()
    {
        var workload = SidecarWorkload.FromNode(NodeWith(annotations: ("meshnet.io/access-log", "xml")));

        var error = Assert.Single(TelemetryCompiler.Validate(workload, "sidecar blog/posts-1"));

        Assert.Equal(new ResourceKey("Pod", "blog", "posts-1"), error.Resource);
        Assert.Equal("metadata.annotations[meshnet.io/access-log]", error.Field);
        Assert.Equal("\"xml\" is not an access log format (json, off)", error.Message);
        Assert.Empty(TelemetryCompiler.Validate(SidecarWorkload.FromNode(NodeWith(annotations: ("meshnet.io/access-log", "json"))), "sidecar blog/posts-1"));
        Assert.Empty(TelemetryCompiler.Validate(SidecarWorkload.FromNode(NodeWith()), "sidecar blog/posts-1"));
    }

    [Theory]
    [InlineData("posts-7d9f8b6c5-x2x9z", "pod-template-hash=7d9f8b6c5", "posts")]
    [InlineData("blog-api-7d9f8b6c5-x2x9z", "pod-template-hash=7d9f8b6c5", "blog-api")]
    [InlineData("web-0", "statefulset.kubernetes.io/pod-name=web-0", "web")]
    [InlineData("web-12", "statefulset.kubernetes.io/pod-name=web-12", "web")]
    [InlineData("posts-7d9f8b6c5-x2x9z", "app=posts", null)]
    [InlineData("posts-x2x9z", "pod-template-hash=7d9f8b6c5", null)]
    [InlineData("web-a", "statefulset.kubernetes.io/pod-name=web-a", null)]
    [InlineData("web-0", "statefulset.kubernetes.io/pod-name=other-0", null)]
    public void FindsTheOwner_FromTheLabelsKubernetesControllersSet(string pod, string label, string? owner)
    {
        var (key, value) = (label.Split('=')[0], label.Split('=')[1]);
        Assert.Equal(owner, SidecarWorkload.OwnerOf(pod, new Dictionary<string, string> { [key] = value }));
    }

    [Fact]
    public void RegistersASidecar_WithItsAnnotationsAdminAddressAndOwner()
    {
        var node = NodeWith(annotations: ("meshnet.io/access-log", "json"));
        node.Name = "posts-7d9f8b6c5-x2x9z";
        node.Labels.Add("pod-template-hash", "7d9f8b6c5");
        node.AdminAddress = "127.0.1.5:15000";

        var workload = SidecarWorkload.FromNode(node);

        Assert.Equal("json", workload.Annotations!["meshnet.io/access-log"]);
        Assert.Equal(("posts", "127.0.1.5:15000"), (workload.Owner, workload.AdminAddress));
        Assert.Null(SidecarWorkload.FromNode(NodeWith()).AdminAddress);
        Assert.Null(SidecarWorkload.FromNode(NodeWith()).Annotations);
    }

    [Fact]
    public void SendsTelemetry_InAFullState_AndInADeltaOnlyWhenItChanged()
    {
        var config = new ProxyConfig([], [], new Inbound()) { Telemetry = new Protocol.V1.Telemetry { Workload = "posts" } };
        var logging = config with { Telemetry = new Protocol.V1.Telemetry { Workload = "posts", AccessLog = AccessLogFormat.AccessLogJson } };

        Assert.Equal("posts", DeltaBuilder.Full(new VersionedConfig("1", config), "n1").Telemetry.Workload);
        Assert.Null(DeltaBuilder.Delta(config, new VersionedConfig("2", config with { }), "n2").Telemetry);
        Assert.Equal(AccessLogFormat.AccessLogJson, DeltaBuilder.Delta(config, new VersionedConfig("3", logging), "n3").Telemetry.AccessLog);
        Assert.False(config.SameContentAs(logging));
    }

    private static Node NodeWith(params (string Key, string Value)[] annotations)
    {
        var node = DiscoveryHarness.Node("posts-1");
        foreach (var (key, value) in annotations)
        {
            node.Annotations.Add(key, value);
        }

        return node;
    }
}
