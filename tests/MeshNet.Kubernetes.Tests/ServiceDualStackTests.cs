using System.Collections.Immutable;
using k8s.Models;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests;

/// <summary>A Service's IP families and load balancer status: validation as the API server does it, then conversion.</summary>
public sealed class ServiceDualStackTests
{
    private static string Doc(string spec, string name = "a") =>
        $"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n{spec}";

    private static MeshService Convert(string yaml)
    {
        var result = ManifestParser.Parse("t.yaml", yaml);
        Assert.Empty(result.Errors);
        return ServiceConverter.ToMeshService(Assert.IsType<V1Service>(Assert.Single(result.Objects).Resource));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        {
            Doc("  ipFamilyPolicy: DualStack\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.ipFamilyPolicy: unsupported value \"DualStack\": must be SingleStack, PreferDualStack or RequireDualStack"
        },
        {
            Doc("  ipFamilies: [IPv4, ipv6]\n  ipFamilyPolicy: PreferDualStack\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.ipFamilies[1]: unsupported value \"ipv6\": must be IPv4 or IPv6"
        },
        {
            Doc("  ipFamilies: [IPv6, IPv6]\n  ipFamilyPolicy: RequireDualStack\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.ipFamilies[1]: duplicate family IPv6"
        },
        {
            Doc("  ipFamilies: [IPv4, IPv6, IPv4]\n  ipFamilyPolicy: RequireDualStack\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.ipFamilies[2]: duplicate family IPv4\n"
            + "t.yaml: document 0: Service default/a: spec.ipFamilies: may hold at most two families, one IPv4 and one IPv6"
        },
        {
            Doc("  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv4, IPv6]\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.ipFamilyPolicy: must be PreferDualStack or RequireDualStack when two IP families are given"
        },
        {
            Doc("  ipFamilyPolicy: SingleStack\n  clusterIPs: [10.96.0.10, 'fd00::10']\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.ipFamilyPolicy: must be PreferDualStack or RequireDualStack when two IP families are given"
        },
        {
            Doc("  ipFamilies: [IPv6]\n  clusterIP: 10.96.0.10\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.clusterIP: 10.96.0.10 is not an IPv6 address, as spec.ipFamilies[0] requires"
        },
        {
            Doc("  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv4, IPv6]\n  clusterIPs: ['fd00::10', 10.96.0.10]\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.clusterIPs[0]: fd00::10 is not an IPv4 address, as spec.ipFamilies[0] requires\n"
            + "t.yaml: document 0: Service default/a: spec.clusterIPs[1]: 10.96.0.10 is not an IPv6 address, as spec.ipFamilies[1] requires"
        },
        {
            Doc("  clusterIPs: [None, 10.96.0.10]\n  ports: [{port: 80}]\n"),
            "t.yaml: document 0: Service default/a: spec.clusterIPs: \"None\" must be the first and only value"
        },
        {
            Doc("  type: ExternalName\n  externalName: db.example.com\n  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv4]\n", "db"),
            "t.yaml: document 0: Service default/db: spec.ipFamilies: must not be set for type ExternalName\n"
            + "t.yaml: document 0: Service default/db: spec.ipFamilyPolicy: must not be set for type ExternalName"
        },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejects_InvalidFamilies_WithExactError(string yaml, string expected)
    {
        var result = ManifestParser.Parse("t.yaml", yaml);

        Assert.Empty(result.Objects);
        Assert.Equal(expected, string.Join("\n", result.Errors.Select(e => e.ToString())));
    }

    [Fact]
    public void Accepts_AHeadlessService_WithFamiliesButNoAddresses()
    {
        var service = Convert(Doc("  clusterIP: None\n  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv6, IPv4]\n  selector: {app: db}\n  ports: [{port: 5432}]\n", "db"));

        Assert.True(service.Headless);
        Assert.Empty(service.ClusterIPs);
        Assert.Equal(IpFamilyPolicy.RequireDualStack, service.IpFamilyPolicy);
        Assert.Equal([IpFamily.IPv6, IpFamily.IPv4], service.IpFamilies.ToArray());
    }

    [Theory]
    [InlineData("  ports: [{port: 80}]\n", IpFamilyPolicy.SingleStack, "")]
    [InlineData("  ipFamilyPolicy: PreferDualStack\n  ports: [{port: 80}]\n", IpFamilyPolicy.PreferDualStack, "")]
    [InlineData("  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv6]\n  ports: [{port: 80}]\n", IpFamilyPolicy.PreferDualStack, "IPv6")]
    [InlineData("  ipFamilies: [IPv6, IPv4]\n  ports: [{port: 80}]\n", IpFamilyPolicy.RequireDualStack, "IPv6,IPv4")]
    [InlineData("  clusterIPs: ['fd00::10', 10.96.0.10]\n  ports: [{port: 80}]\n", IpFamilyPolicy.RequireDualStack, "")]
    [InlineData("  clusterIP: None\n  ports: [{port: 80}]\n", IpFamilyPolicy.RequireDualStack, "")]
    [InlineData("  clusterIP: None\n  selector: {app: a}\n  ports: [{port: 80}]\n", IpFamilyPolicy.SingleStack, "")]
    public void Defaults_TheFamilyPolicy_AsTheApiServerDoes(string spec, IpFamilyPolicy policy, string families)
    {
        var service = Convert(Doc(spec));

        Assert.Equal(policy, service.IpFamilyPolicy);
        Assert.Equal(families, string.Join(",", service.IpFamilies));
    }

    [Fact]
    public void Reads_DualStackClusterIPs_InOrder()
    {
        var service = Convert(Doc("  ipFamilyPolicy: PreferDualStack\n  clusterIPs: ['fd00:10:96::a', 10.96.0.10]\n  ports: [{port: 80}]\n"));

        Assert.Equal(["fd00:10:96::a", "10.96.0.10"], service.ClusterIPs.ToArray());
        Assert.Equal(IpFamilyPolicy.PreferDualStack, service.IpFamilyPolicy);
    }

    [Fact]
    public void TreatsClusterIPsNone_AsHeadless()
    {
        var service = Convert(Doc("  clusterIPs: [None]\n  selector: {app: a}\n  ports: [{port: 80}]\n"));

        Assert.True(service.Headless);
        Assert.Empty(service.ClusterIPs);
    }

    [Fact]
    public void Keeps_TheLoadBalancerStatusIngressAddresses()
    {
        var service = Convert("""
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              type: LoadBalancer
              ports: [{port: 80}]
            status:
              loadBalancer:
                ingress: [{ip: 203.0.113.7}, {hostname: lb.example.com}]
            """);

        Assert.Equal(["203.0.113.7"], service.LoadBalancerIngress.ToArray());
    }

    [Fact]
    public void Ignores_StaleLoadBalancerStatus_OnOtherTypes()
    {
        var service = Convert("""
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              ports: [{port: 80}]
            status:
              loadBalancer:
                ingress: [{ip: 203.0.113.7}]
            """);

        Assert.Equal(ImmutableArray<string>.Empty, service.LoadBalancerIngress);
    }
}
