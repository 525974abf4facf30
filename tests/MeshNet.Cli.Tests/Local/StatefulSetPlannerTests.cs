using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

/// <summary>A StatefulSet becomes &lt;name&gt;-&lt;ordinal&gt; pods, each with its hostname and the set's serviceName as subdomain.</summary>
public sealed class StatefulSetPlannerTests : IDisposable
{
    private const string StatefulSet = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: web, namespace: shop}
        spec:
          serviceName: web
          replicas: 3
          ordinals: {start: 2}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              serviceAccountName: web
              containers:
              - name: web
                command: ["blog-app"]
                ports: [{name: http, containerPort: 8080}]
                env:
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mnt-sts-" + Guid.NewGuid().ToString("N")[..8]);

    public StatefulSetPlannerTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public void Expands_StatefulSet_IntoOrdinalPods_FromOrdinalsStart()
    {
        var plans = Plan(StatefulSet);

        Assert.Equal(["web-2", "web-3", "web-4"], plans.Select(p => p.Pod.Name));
        Assert.All(plans, p => Assert.Equal(("web", "shop", "web"), (p.Owner, p.Pod.Namespace, p.Pod.ServiceAccount)));
        Assert.Equal(plans.Select(p => p.Pod.Name), plans.Select(p => p.Pod.Hostname));
        Assert.All(plans, p => Assert.Equal("web", p.Pod.Subdomain));
        Assert.Equal(["web-2", "web-3", "web-4"], plans.Select(p => Assert.Single(p.Containers).Environment.ToDictionary()["POD_NAME"]));
        Assert.Equal(["127.0.1.1", "127.0.1.2", "127.0.1.3"], plans.Select(p => p.Pod.Address));
    }

    [Fact]
    public void Labels_EachPod_WithTemplateLabelsAndItsOwnNameAndIndex()
    {
        var pod = Plan(StatefulSet)[1].Pod;

        Assert.Equal(
            new Dictionary<string, string> { ["app"] = "web", [PodPlanner.PodNameLabel] = "web-3", [PodPlanner.PodIndexLabel] = "3" },
            pod.Labels);
    }

    [Fact]
    public void Sidecar_AnnouncesHostnameAndSubdomain()
    {
        var arguments = Plan(StatefulSet)[0].Sidecar.ToArguments(new Uri("http://127.0.0.1:15010"));

        Assert.Equal("web-2", After(arguments, "--hostname"));
        Assert.Equal("web", After(arguments, "--subdomain"));
    }

    [Fact]
    public void StartsAtZero_WithoutOrdinals_AndOmitsSubdomain_WithoutServiceName()
    {
        var yaml = StatefulSet.Replace("  serviceName: web\n", string.Empty, StringComparison.Ordinal)
            .Replace("  ordinals: {start: 2}\n", string.Empty, StringComparison.Ordinal);

        var plans = Plan(yaml);

        Assert.Equal(["web-0", "web-1", "web-2"], plans.Select(p => p.Pod.Name));
        Assert.All(plans, p => Assert.Null(p.Pod.Subdomain));
        Assert.DoesNotContain("--subdomain", plans[0].Sidecar.ToArguments(new Uri("http://127.0.0.1:15010")));
        Assert.Equal("web-0", After(plans[0].Sidecar.ToArguments(new Uri("http://127.0.0.1:15010")), "--hostname"));
    }

    [Fact]
    public void BarePod_WithHostnameAndSubdomain_PassesThemToItsSidecar_AndOneWithoutDoesNot()
    {
        const string Pods = """
            apiVersion: v1
            kind: Pod
            metadata: {name: db-0, namespace: shop}
            spec:
              hostname: db-0
              subdomain: db
              containers: [{name: db, command: ["blog-app"]}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: solo, namespace: shop}
            spec:
              containers: [{name: solo, command: ["blog-app"]}]
            """;

        var plans = Plan(Pods);

        var uri = new Uri("http://127.0.0.1:15010");
        Assert.Equal(("db-0", "db"), (After(plans[0].Sidecar.ToArguments(uri), "--hostname"), After(plans[0].Sidecar.ToArguments(uri), "--subdomain")));
        Assert.DoesNotContain("--hostname", plans[1].Sidecar.ToArguments(uri));
        Assert.DoesNotContain("--subdomain", plans[1].Sidecar.ToArguments(uri));
    }

    [Fact]
    public void Rejects_StatefulSetPod_ThatTakesABarePodsName()
    {
        var yaml = StatefulSet + "\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web-3, namespace: shop}\nspec:\n  containers: [{name: x, command: [\"blog-app\"]}]\n";

        var error = Assert.Throws<ManifestException>(() => Plan(yaml));

        Assert.Contains("web-3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_ADirectory_WithOnlyAStatefulSet()
    {
        File.WriteAllText(Path.Combine(_dir, "web.yaml"), StatefulSet);

        var manifests = MeshNet.Cli.Commands.MeshSession.ReadManifests(_dir);

        Assert.Single(manifests.StatefulSetList);
        Assert.False(manifests.IsEmpty);
    }

    private static string After(IReadOnlyList<string> arguments, string flag)
    {
        var index = arguments.ToList().IndexOf(flag);
        Assert.True(index >= 0, $"{flag} missing from {string.Join(' ', arguments)}");
        return arguments[index + 1];
    }

    private IReadOnlyList<PodPlan> Plan(string yaml)
    {
        File.WriteAllText(Path.Combine(_dir, "m.yaml"), yaml);
        var manifests = ManifestReader.Read(_dir);
        Assert.Empty(manifests.Errors);
        return new PodPlanner(new PodAddressPool(), () => "x", name => $"/artifacts/{name}.dll")
            .Plan(manifests.Deployments, manifests.BarePods, manifests.StatefulSetList);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
