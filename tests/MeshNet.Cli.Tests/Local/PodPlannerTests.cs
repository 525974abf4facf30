using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

public sealed class PodPlannerTests
{
    private static IReadOnlyList<PodPlan> PlanBlog()
    {
        var manifests = ManifestReader.Read(TestPaths.BlogSample);
        Assert.Empty(manifests.Errors);
        var suffix = 0;
        var planner = new PodPlanner(new PodAddressPool(), () => $"s{suffix++:D4}", name => $"/artifacts/{name}.dll");
        return planner.Plan(manifests.Deployments);
    }

    [Fact]
    public void Plans_EveryReplicaOfTheBlogSample()
    {
        var pods = PlanBlog();

        var replicas = pods.GroupBy(p => p.Owner).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(
            new Dictionary<string, int> { ["comments"] = 2, ["frontend"] = 2, ["posts-v1"] = 2, ["posts-v2"] = 1, ["users"] = 2 },
            replicas);
        Assert.Equal(pods.Count, pods.Select(p => p.Pod.Address).Distinct().Count());
        Assert.Equal(pods.Count, pods.Select(p => p.Pod.Name).Distinct().Count());
        Assert.All(pods, p => Assert.Equal("blog", p.Pod.Namespace));
    }

    [Fact]
    public void Resolves_ContainerEnvironmentAndCommandForAPod()
    {
        var pod = PlanBlog().First(p => p.Owner == "posts-v2");
        var app = Assert.Single(pod.Containers);
        var env = app.Environment.ToDictionary();

        Assert.Matches("^posts-v2-[a-z0-9]+-s\\d{4}$", pod.Pod.Name);
        Assert.Equal(pod.Pod.Name, app.Source);
        Assert.Equal(["/artifacts/blog-app.dll"], app.Arguments.ToArray());
        Assert.Equal("posts", env["BLOG_ROLE"]);
        Assert.Equal("v2", env["BLOG_VERSION"]);
        Assert.Equal(pod.Pod.Name, env["POD_NAME"]);
        Assert.Equal("blog", env["POD_NAMESPACE"]);
        Assert.Equal(pod.Pod.Address, env["POD_IP"]);
        Assert.Equal($"http://{pod.Pod.Address}:15001", env["MESHNET_OUTBOUND"]);
    }

    [Fact]
    public void Derives_SidecarSettingsFromTheContainerSpec()
    {
        var pod = PlanBlog().First(p => p.Owner == "frontend");

        Assert.Equal(8080, pod.Sidecar.AppPort);
        Assert.Equal([KeyValuePair.Create("http", 8080)], pod.Sidecar.NamedPorts.ToArray());
        Assert.Equal("/healthz", pod.Sidecar.ReadinessPath);
        Assert.Equal("frontend", pod.Pod.ServiceAccount);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "frontend", ["version"] = "v1" }, pod.Pod.Labels);
    }

    [Fact]
    public void Draws_AnotherSuffixWhenAPodNameIsTaken()
    {
        var manifests = ManifestReader.Read(TestPaths.BlogSample);
        var suffixes = new Queue<string>(["aaaaa", "aaaaa", "bbbbb"]);
        var planner = new PodPlanner(new PodAddressPool(), suffixes.Dequeue, name => name);

        var pods = planner.Plan(manifests.Deployments.Where(d => d.Metadata.Name == "users"));

        Assert.Equal(["aaaaa", "bbbbb"], pods.Select(p => p.Pod.Name[^5..]));
    }
}
