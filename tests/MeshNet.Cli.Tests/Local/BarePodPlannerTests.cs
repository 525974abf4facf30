using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Local;

/// <summary>Bare Pods (a StatefulSet-style pod with spec.hostname and spec.subdomain) run like Deployment replicas.</summary>
public sealed class BarePodPlannerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mnt-barepod-" + Guid.NewGuid().ToString("N")[..8]);

    public BarePodPlannerTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public void Plans_ABarePod_UnderItsOwnName_WithItsLabelsPortsAndProbe()
    {
        File.WriteAllText(Path.Combine(_dir, "db.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata:
              name: db-0
              namespace: blog
              labels:
                app: db
            spec:
              hostname: db-0
              subdomain: db
              serviceAccountName: db
              containers:
                - name: db
                  image: ghcr.io/meshnet/blog-app:0.1.0
                  command: ["blog-app"]
                  ports:
                    - name: http
                      containerPort: 8080
                  env:
                    - name: POD_NAME
                      valueFrom:
                        fieldRef:
                          fieldPath: metadata.name
                  readinessProbe:
                    httpGet:
                      path: /healthz
                      port: http
            """);
        var manifests = ManifestReader.Read(_dir);
        Assert.Empty(manifests.Errors);

        var plan = Assert.Single(new PodPlanner(new PodAddressPool(), () => "x", name => $"/artifacts/{name}.dll").Plan(manifests.Deployments, manifests.BarePods));

        Assert.Equal("db-0", plan.Owner);
        Assert.Equal(("db-0", "blog", "db"), (plan.Pod.Name, plan.Pod.Namespace, plan.Pod.ServiceAccount));
        Assert.Equal("127.0.1.1", plan.Pod.Address);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "db" }, plan.Pod.Labels);
        Assert.Equal((8080, "/healthz"), (plan.Sidecar.AppPort, plan.Sidecar.ReadinessPath));
        Assert.Equal("db-0", Assert.Single(plan.Containers).Environment.ToDictionary()["POD_NAME"]);
    }

    [Fact]
    public void Plans_BarePodsAfterDeploymentReplicas_WithDistinctAddresses()
    {
        var blog = ManifestReader.Read(TestPaths.BlogSample);
        var pod = new k8s.Models.V1Pod
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "solo", NamespaceProperty = "blog" },
            Spec = new k8s.Models.V1PodSpec { Containers = [new k8s.Models.V1Container { Name = "solo", Command = ["blog-app"] }] },
        };
        var suffix = 0;

        var plans = new PodPlanner(new PodAddressPool(), () => $"s{suffix++:D4}", name => name).Plan(blog.Deployments, [pod]);

        Assert.Equal("solo", plans[^1].Pod.Name);
        Assert.Equal(PodPlanner.DefaultAppPort, plans[^1].Sidecar.AppPort);
        Assert.Equal(plans.Count, plans.Select(p => p.Pod.Address).Distinct().Count());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
