using k8s.Models;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests;

public sealed class ConverterTests
{
    private static T Parse<T>(string yaml)
    {
        var result = ManifestParser.Parse("t.yaml", yaml);
        Assert.Empty(result.Errors);
        return Assert.IsType<T>(Assert.Single(result.Objects).Resource);
    }

    private static T FromBlog<T>() =>
        ManifestParser.Parse("blog.yaml", TestData.Read("blog.yaml")).Objects.Select(o => o.Resource).OfType<T>().Single();

    [Fact]
    public void Service_KeepsNamedTargetPort_AndDefaultsMissingTargetPortToPort()
    {
        var service = ServiceConverter.ToMeshService(FromBlog<V1Service>());

        Assert.Equal(("blog", "posts", ServiceType.ClusterIP), (service.Namespace, service.Name, service.Type));
        Assert.Equal(new ResourceKey("Service", "blog", "posts"), service.Key);
        var http = service.Ports[0];
        Assert.Equal(("http", 80, "TCP", "http"), (http.Name, http.Port, http.Protocol, http.AppProtocol));
        Assert.True(http.TargetPort.IsNamed);
        Assert.Equal("http", http.TargetPort.Name);
        Assert.Equal(TargetPort.FromNumber(9090), service.Ports[1].TargetPort);
        Assert.Null(service.Ports[1].AppProtocol);
        Assert.Equal("posts", service.Selector!["app"]);
        Assert.False(service.Headless);
        Assert.Empty(service.ClusterIPs);
        Assert.Equal(SessionAffinity.None, service.SessionAffinity);
        Assert.Equal(10800, service.SessionAffinityTimeoutSeconds);
        Assert.Equal("posts", service.Labels["app"]);
    }

    [Theory]
    [InlineData("spec:\n  ports: [{port: 80}]\n")]
    [InlineData("spec:\n  selector: {}\n  ports: [{port: 80}]\n")]
    public void Service_WithoutOrWithEmptySelector_HasNullSelector(string spec)
    {
        var service = ServiceConverter.ToMeshService(Parse<V1Service>($"apiVersion: v1\nkind: Service\nmetadata: {{name: db}}\n{spec}"));

        Assert.Null(service.Selector);
    }

    [Fact]
    public void Service_ReadsHeadlessClusterIPsAffinityAndNumericTargetPort()
    {
        var service = ServiceConverter.ToMeshService(Parse<V1Service>("""
            apiVersion: v1
            kind: Service
            metadata: {name: users}
            spec:
              type: NodePort
              clusterIP: 10.96.0.10
              publishNotReadyAddresses: true
              sessionAffinity: ClientIP
              sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
              ports: [{port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP}]
            """));

        Assert.Equal(ServiceType.NodePort, service.Type);
        Assert.Equal(["10.96.0.10"], service.ClusterIPs.ToArray());
        Assert.True(service.PublishNotReadyAddresses);
        Assert.Equal(SessionAffinity.ClientIP, service.SessionAffinity);
        Assert.Equal(60, service.SessionAffinityTimeoutSeconds);
        Assert.Equal(TargetPort.FromNumber(8080), service.Ports[0].TargetPort);
        Assert.Equal(30080, service.Ports[0].NodePort);
        Assert.Equal("", service.Ports[0].Name);
    }

    [Fact]
    public void Service_HeadlessAndExternalName()
    {
        var headless = ServiceConverter.ToMeshService(Parse<V1Service>("apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {clusterIP: None, selector: {app: db}}\n"));
        var external = ServiceConverter.ToMeshService(Parse<V1Service>("apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {type: ExternalName, externalName: db.example.com}\n"));

        Assert.True(headless.Headless);
        Assert.Empty(headless.ClusterIPs);
        Assert.Equal(ServiceType.ExternalName, external.Type);
        Assert.Equal("db.example.com", external.ExternalName);
    }

    [Fact]
    public void Pod_BecomesReadyWorkload_WithPortsFromAllContainers()
    {
        var workload = WorkloadConverter.ToWorkload(FromBlog<V1Pod>());

        Assert.Equal(("Pod", "blog", "posts-v1-0"), (workload.Kind, workload.Namespace, workload.Name));
        Assert.Equal("127.0.1.2", workload.Address);
        Assert.True(workload.Ready);
        Assert.Equal("posts", workload.ServiceAccount);
        Assert.Equal(("posts-0", "posts"), (workload.Hostname, workload.Subdomain));
        Assert.Equal([new WorkloadPort("http", 8080, "TCP"), new WorkloadPort("metrics", 9100, "TCP")], workload.Ports.ToArray());
        Assert.Null(workload.InboundPort);
        Assert.False(workload.HasSidecar);
        Assert.Equal("v1", workload.Labels["version"]);
    }

    [Theory]
    [InlineData("status: {podIP: 127.0.1.2, conditions: [{type: Ready, status: \"True\"}]}", true)]
    [InlineData("status: {podIP: 127.0.1.2, conditions: [{type: Ready, status: \"False\"}]}", false)]
    [InlineData("status: {podIP: 127.0.1.2, conditions: [{type: PodScheduled, status: \"True\"}]}", false)]
    [InlineData("status: {podIP: 127.0.1.2}", false)]
    [InlineData("status: {conditions: [{type: Ready, status: \"True\"}]}", false)]
    [InlineData("", false)]
    public void Pod_IsReady_OnlyWithReadyConditionAndAnAddress(string status, bool ready)
    {
        var pod = Parse<V1Pod>($"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: [{{name: app}}]\n{status}\n");

        Assert.Equal(ready, WorkloadConverter.ToWorkload(pod).Ready);
    }

    [Fact]
    public void Pod_WithoutServiceAccount_UsesDefault()
    {
        var pod = Parse<V1Pod>("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, ports: [{containerPort: 53, protocol: UDP}]}]\n");

        var workload = WorkloadConverter.ToWorkload(pod);

        Assert.Equal("default", workload.ServiceAccount);
        Assert.Equal("", workload.Address);
        Assert.Equal([new WorkloadPort("", 53, "UDP")], workload.Ports.ToArray());
        Assert.Null(workload.Hostname);
    }

    [Fact]
    public void EndpointSlice_TreatsUnsetReadyAsReady()
    {
        var set = EndpointSetConverter.ToEndpointSet(FromBlog<V1EndpointSlice>());

        Assert.Equal(("blog", "database-1", "database", "IPv4"), (set.Namespace, set.Name, set.ServiceName, set.AddressType));
        Assert.Equal([new EndpointSetPort("postgres", 5432, "TCP", null)], set.Ports.ToArray());
        Assert.Equal([true, false], set.Endpoints.Select(e => e.Ready));
        Assert.Equal(["127.0.2.1"], set.Endpoints[0].Addresses.ToArray());
    }

    [Fact]
    public void EndpointSlice_KeepsHostnameAndTargetPod()
    {
        var slice = Parse<V1EndpointSlice>("""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: db-1, labels: {kubernetes.io/service-name: db}}
            addressType: IPv4
            ports: [{port: 5432}]
            endpoints:
              - addresses: [10.0.0.1]
                hostname: db-0
                targetRef: {kind: Pod, name: db-0, namespace: default}
                conditions: {ready: true}
            """);

        var entry = Assert.Single(EndpointSetConverter.ToEndpointSet(slice).Endpoints);

        Assert.Equal(("db-0", "db-0", true), (entry.Hostname, entry.TargetPodName, entry.Ready));
    }

    [Fact]
    public void EndpointSlice_KeepsServingTerminatingAndZone()
    {
        var slice = Parse<V1EndpointSlice>("""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints:
              - addresses: [10.0.0.1]
                zone: zone-a
                conditions: {ready: false, serving: true, terminating: true}
              - addresses: [10.0.0.2]
                conditions: {ready: true}
            """);

        var entries = EndpointSetConverter.ToEndpointSet(slice).Endpoints;

        Assert.Equal((false, (bool?)true, true, "zone-a", true), (entries[0].Ready, entries[0].Serving, entries[0].Terminating, entries[0].Zone, entries[0].ServingTerminating));
        Assert.Equal((true, (bool?)null, false, (string?)null, false), (entries[1].Ready, entries[1].Serving, entries[1].Terminating, entries[1].Zone, entries[1].ServingTerminating));
    }

    [Fact]
    public void Pod_WithADeletionTimestamp_IsTerminating()
    {
        var pod = FromBlog<V1Pod>();
        Assert.False(WorkloadConverter.ToWorkload(pod).Terminating);

        pod.Metadata.DeletionTimestamp = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

        Assert.True(WorkloadConverter.ToWorkload(pod).Terminating);
    }

    [Fact]
    public void Namespace_KeepsLabels()
    {
        var ns = NamespaceConverter.ToMeshNamespace(FromBlog<V1Namespace>());

        Assert.Equal(new ResourceKey("Namespace", "", "blog"), ns.Key);
        Assert.Equal("enabled", ns.Labels["meshnet.io/injection"]);
    }

    [Fact]
    public void Deployment_IsNotAMeshResource()
    {
        Assert.Null(MeshResourceConverter.TryConvert(FromBlog<V1Deployment>()));
        Assert.IsType<MeshService>(MeshResourceConverter.TryConvert(FromBlog<V1Service>()));
    }
}
