using System.Net;
using System.Net.Sockets;
using MeshNet.ControlPlane.Tracking;
using MeshNet.Model;
using static MeshNet.ControlPlane.Tests.Allocation.AllocationTestKit;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests.Allocation;

/// <summary>One cluster IP per IP family the Service's policy asks for, as kube-apiserver allocates them.</summary>
public sealed class DualStackAllocationTests : IDisposable
{
    private const string DualStack = "10.96.0.0/16,fd00:10:96::/112";
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "mnt-dual-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private static MeshService Posts(IpFamilyPolicy policy = IpFamilyPolicy.SingleStack, IpFamily[]? families = null, string[]? clusterIPs = null) =>
        Service("blog", "posts", "app=posts", clusterIPs: clusterIPs) with { IpFamilyPolicy = policy, IpFamilies = [.. families ?? []] };

    private static string Families(MeshService service) =>
        string.Join(",", service.ClusterIPs.Select(ip => IPAddress.Parse(ip).AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4"));

    private static ResourceError Refused(ServiceAdmission admission, MeshService service)
    {
        var changes = admission.Admit([Added(service)], out var errors);
        Assert.Empty(changes);
        var error = Assert.Single(errors);
        Assert.Equal(service.Key, error.Resource);
        return error;
    }

    [Theory]
    [InlineData("10.96.0.0/16,fd00:10:96::/112", "IPv4")]
    [InlineData("fd00:10:96::/112,10.96.0.0/16", "IPv6")]
    public void Allocates_TheClusterPrimaryFamily_ToASingleStackService(string cidrs, string family)
    {
        var posts = Admitted(new ServiceAdmission(Options(cidrs)), Posts());

        Assert.Equal(family, Families(posts));
    }

    [Fact]
    public void Allocates_TheNamedFamily_ToASingleStackService()
    {
        var posts = Admitted(new ServiceAdmission(Options(DualStack)), Posts(families: [IpFamily.IPv6]));

        Assert.StartsWith("fd00:10:96::", Assert.Single(posts.ClusterIPs), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(IpFamilyPolicy.PreferDualStack, new IpFamily[0], "IPv4,IPv6")]
    [InlineData(IpFamilyPolicy.RequireDualStack, new IpFamily[0], "IPv4,IPv6")]
    [InlineData(IpFamilyPolicy.PreferDualStack, new[] { IpFamily.IPv6 }, "IPv6,IPv4")]
    [InlineData(IpFamilyPolicy.RequireDualStack, new[] { IpFamily.IPv6, IpFamily.IPv4 }, "IPv6,IPv4")]
    public void Allocates_BothFamilies_InTheServiceOrder_WhenBothRangesAreConfigured(IpFamilyPolicy policy, IpFamily[] families, string expected)
    {
        var posts = Admitted(new ServiceAdmission(Options(DualStack)), Posts(policy, families));

        Assert.Equal(expected, Families(posts));
        Assert.StartsWith("10.96.", posts.ClusterIPs.Single(ip => !ip.Contains(':', StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.StartsWith("fd00:10:96::", posts.ClusterIPs.Single(ip => ip.Contains(':', StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void FallsBackToOneFamily_ForPreferDualStack_WithOneRange()
    {
        var posts = Admitted(new ServiceAdmission(Options("10.96.0.0/16")), Posts(IpFamilyPolicy.PreferDualStack));

        Assert.StartsWith("10.96.", Assert.Single(posts.ClusterIPs), StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_RequireDualStack_WithOneRange()
    {
        var error = Refused(new ServiceAdmission(Options("10.96.0.0/16")), Posts(IpFamilyPolicy.RequireDualStack));

        Assert.Equal(
            ("spec.ipFamilyPolicy", "RequireDualStack needs an IPv4 and an IPv6 service CIDR, but the service CIDRs are 10.96.0.0/16; this version is not applied"),
            (error.Field, error.Message));
    }

    [Fact]
    public void Refuses_AFamilyWithoutARange()
    {
        var error = Refused(new ServiceAdmission(Options("10.96.0.0/16")), Posts(IpFamilyPolicy.PreferDualStack, [IpFamily.IPv6]));

        Assert.Equal(
            ("spec.ipFamilies[0]", "IPv6 is not configured: the service CIDRs (10.96.0.0/16) have no IPv6 range; this version is not applied"),
            (error.Field, error.Message));
    }

    [Fact]
    public void Refuses_ASecondRequestedAddress_OfAnUnconfiguredFamily()
    {
        var error = Refused(new ServiceAdmission(Options("10.96.0.0/16")), Posts(clusterIPs: ["10.96.0.10", "fd00:10:96::a"]));

        Assert.Equal(
            ("spec.clusterIPs[1]", "fd00:10:96::a is an IPv6 address but the service CIDRs (10.96.0.0/16) have no range of that family; this version is not applied"),
            (error.Field, error.Message));
    }

    [Fact]
    public void Refuses_ARequestedAddress_OfAnotherFamilyThanNamed()
    {
        var error = Refused(new ServiceAdmission(Options(DualStack)), Posts(families: [IpFamily.IPv4], clusterIPs: ["fd00:10:96::a"]));

        Assert.Equal(
            ("spec.clusterIP", "fd00:10:96::a is not an IPv4 address, as spec.ipFamilies[0] requires; this version is not applied"),
            (error.Field, error.Message));
    }

    [Fact]
    public void Honours_ARequestedIPv6Address_AndAllocatesTheIPv4One()
    {
        var posts = Admitted(new ServiceAdmission(Options(DualStack)), Posts(IpFamilyPolicy.RequireDualStack, clusterIPs: ["fd00:10:96::a"]));

        Assert.Equal("fd00:10:96::a", posts.ClusterIPs[0]);
        Assert.StartsWith("10.96.", posts.ClusterIPs[1], StringComparison.Ordinal);
        Assert.Equal(2, posts.ClusterIPs.Length);
    }

    [Fact]
    public void Refuses_ASecondaryAddressHeldByAnotherService_NamingIt()
    {
        var admission = new ServiceAdmission(Options(DualStack));
        var users = Admitted(admission, Service("blog", "users", "app=users") with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack });
        var taken = users.ClusterIPs[1];

        var error = Refused(admission, Posts(IpFamilyPolicy.RequireDualStack, clusterIPs: ["10.96.0.10", taken]));

        Assert.Equal(
            ("spec.clusterIPs[1]", $"{taken} requested by Service blog/posts is already allocated to Service blog/users; this version is not applied"),
            (error.Field, error.Message));
    }

    [Fact]
    public void KeepsTheFirstFamilyAddress_WhenAServiceBecomesDualStack()
    {
        var admission = new ServiceAdmission(Options(DualStack));
        var single = Admitted(admission, Posts());

        var dual = Posts(IpFamilyPolicy.PreferDualStack);
        var changes = admission.Admit([Updated(single, dual)], out var errors);

        Assert.Empty(errors);
        var admitted = Current(changes, dual.Key);
        Assert.Equal(single.ClusterIPs[0], admitted.ClusterIPs[0]);
        Assert.Equal("IPv4,IPv6", Families(admitted));
    }

    [Fact]
    public void KeepsBothAddresses_AcrossARestart()
    {
        var before = Admitted(new ServiceAdmission(Options(DualStack, _stateDir)), Posts(IpFamilyPolicy.PreferDualStack));

        // A newcomer first, in case its hash would land on one of the saved addresses.
        var after = new ServiceAdmission(Options(DualStack, _stateDir));
        Admitted(after, Service("blog", "newcomer", "app=n") with { IpFamilyPolicy = IpFamilyPolicy.PreferDualStack });
        var again = Admitted(after, Posts(IpFamilyPolicy.PreferDualStack));

        Assert.Equal<string>(before.ClusterIPs, again.ClusterIPs);
    }

    [Fact]
    public void Admits_AHeadlessServiceWithoutSelector_AsDualStack_OnASingleStackCluster()
    {
        var admission = new ServiceAdmission(Options("10.96.0.0/16"));
        var db = Service("blog", "db") with { Headless = true, IpFamilyPolicy = IpFamilyPolicy.RequireDualStack };

        Assert.Empty(Admitted(admission, db).ClusterIPs);
    }

    [Fact]
    public void Refuses_AHeadlessServiceWithSelector_RequiringDualStack_OnASingleStackCluster()
    {
        var admission = new ServiceAdmission(Options("10.96.0.0/16"));
        var db = Service("blog", "db", "app=db") with { Headless = true, IpFamilyPolicy = IpFamilyPolicy.RequireDualStack };

        Assert.Equal("spec.ipFamilyPolicy", Refused(admission, db).Field);
    }
}
