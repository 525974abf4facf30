using MeshNet.Kubernetes.Analysis;
using static MeshNet.Kubernetes.Tests.Analysis.AnalysisFixtures;

namespace MeshNet.Kubernetes.Tests.Analysis;

public sealed class MeshAnalyzerTests
{
    [Fact]
    public void FindsNothing_InAConsistentMesh()
    {
        Assert.Empty(Analyze(Blog));
    }

    [Fact]
    public void NamesTheClosestPod_WhenASelectorMatchesNone()
    {
        var findings = Analyze(Namespace + """
            apiVersion: v1
            kind: Service
            metadata: {name: posts, namespace: blog}
            spec:
              selector: {app: posts, tier: backend}
              ports: [{port: 80}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: users-0, namespace: blog, labels: {app: users}}
            spec: {containers: [{name: app, image: x}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: posts-v1, namespace: blog, labels: {app: post, tier: backend}}
            spec: {containers: [{name: app, image: x}]}
            """);

        var finding = Assert.Single(findings);
        Assert.Equal((FindingCodes.SelectorMatchesNoPod, FindingSeverity.Error, "Service blog/posts"), (finding.Code, finding.Severity, finding.Resource));
        Assert.Contains("pod posts-v1 has app=post, selector wants app=posts", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DoesNotGuess_WhenNoPodSharesASelectorKey()
    {
        var findings = Analyze(Namespace + """
            apiVersion: v1
            kind: Service
            metadata: {name: posts, namespace: blog}
            spec:
              selector: {app: posts}
              ports: [{port: 80}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: other, namespace: blog, labels: {role: db}}
            spec: {containers: [{name: app, image: x}]}
            """);

        Assert.Contains("no pod in namespace blog has any of these labels", Assert.Single(findings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsesDeploymentTemplates_AsPods()
    {
        var findings = Analyze(Namespace + """
            apiVersion: v1
            kind: Service
            metadata: {name: posts, namespace: blog}
            spec:
              selector: {app: posts}
              ports: [{port: 80, targetPort: http}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: posts-v1, namespace: blog}
            spec:
              selector: {matchLabels: {app: posts}}
              template:
                metadata: {labels: {app: posts}}
                spec: {containers: [{name: app, image: x, ports: [{name: http, containerPort: 8080}]}]}
            """);

        Assert.Empty(findings);
    }

    [Fact]
    public void ReportsEveryServiceOfANodePortCollision()
    {
        var findings = Analyze(Namespace + """
            apiVersion: v1
            kind: Service
            metadata: {name: a, namespace: blog}
            spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: b, namespace: blog}
            spec: {type: NodePort, ports: [{port: 81, nodePort: 30080}]}
            """);

        var collisions = findings.Where(f => f.Code == FindingCodes.NodePortCollision).Select(f => f.Resource).ToList();
        Assert.Equal(["Service blog/a", "Service blog/b"], collisions);
        Assert.Equal(2, findings.Count(f => f.Code == FindingCodes.ExposedBeyondMesh && f.Severity == FindingSeverity.Info));
    }

    [Fact]
    public void WarnsAboutUnreadyEndpoints_OnlyWhenLive()
    {
        const string yaml = Namespace + """
            apiVersion: v1
            kind: Service
            metadata: {name: posts, namespace: blog}
            spec:
              selector: {app: posts}
              ports: [{port: 80}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: posts-0, namespace: blog, labels: {app: posts}}
            spec: {containers: [{name: app, image: x}]}
            """;

        Assert.Empty(Analyze(yaml, live: false));
        var finding = Assert.Single(Analyze(yaml, live: true));
        Assert.Equal((FindingCodes.NoReadyEndpoints, FindingSeverity.Warning), (finding.Code, finding.Severity));
    }

    [Fact]
    public void WarnsAboutASelectorlessServiceWithoutEndpoints_OnlyWhenLive_AndNotAboutExternalNames()
    {
        const string yaml = Namespace + """
            apiVersion: v1
            kind: Service
            metadata: {name: legacy-db, namespace: blog}
            spec:
              ports: [{port: 5432}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: search, namespace: blog}
            spec:
              type: ExternalName
              externalName: search.example.com
            """;

        Assert.Empty(Analyze(yaml, live: false));
        var finding = Assert.Single(Analyze(yaml, live: true));
        Assert.Equal((FindingCodes.NoEndpointSlice, FindingSeverity.Warning, "Service blog/legacy-db"), (finding.Code, finding.Severity, finding.Resource));
        Assert.Contains("no selector and no EndpointSlice", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("false", "false", true)]
    [InlineData("false", "true", false)]
    public void WarnsWhenEveryEndpointOfASelectorlessServicesSlices_IsNotReady(string first, string second, bool warns)
    {
        var yaml = Namespace + $$"""
            apiVersion: v1
            kind: Service
            metadata: {name: legacy-db, namespace: blog}
            spec:
              ports: [{name: pg, port: 5432}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: legacy-db-1
              namespace: blog
              labels: {kubernetes.io/service-name: legacy-db}
            addressType: IPv4
            ports: [{name: pg, port: 5432, protocol: TCP}]
            endpoints:
              - addresses: ["10.1.0.7"]
                conditions: {ready: {{first}} }
              - addresses: ["10.1.0.8"]
                conditions: {ready: {{second}} }
            """;

        var findings = Analyze(yaml, live: false);

        Assert.Equal(warns, findings.Any(f => f.Code == FindingCodes.NoReadyEndpoints && f.Resource == "Service blog/legacy-db"));
        Assert.Equal(warns ? 1 : 0, findings.Count);
    }

    [Fact]
    public void FlagsACatchAllDeny_AsMakingTheServiceUnreachable()
    {
        var findings = Analyze(Blog + """
            ---
            apiVersion: meshnet.io/v1alpha1
            kind: AuthorizationPolicy
            metadata: {name: lockdown, namespace: blog}
            spec:
              targetRef: {kind: Service, name: posts}
              action: Deny
              rules:
                - {}
            """);

        var finding = Assert.Single(findings);
        Assert.Equal((FindingCodes.ServiceUnreachable, "Service blog/posts"), (finding.Code, finding.Resource));
        Assert.Contains("AuthorizationPolicy blog/lockdown", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlagsARouteBackendService_ThatDoesNotExist()
    {
        var findings = Analyze(Blog + """
            ---
            apiVersion: meshnet.io/v1alpha1
            kind: TrafficRoute
            metadata: {name: posts, namespace: blog}
            spec:
              targetRef: {kind: Service, name: posts}
              rules:
                - backends:
                    - {service: posts-v9, weight: 1}
            """);

        var finding = Assert.Single(findings, f => f.Code == FindingCodes.RouteBackendMissing);
        Assert.Equal("spec.rules[0].backends[0].service", finding.Field);
    }

    [Fact]
    public void SortsErrorsBeforeWarningsAndInfo()
    {
        var findings = Analyze(Namespace + """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: blog}
            spec: {type: LoadBalancer, ports: [{port: 80}]}
            ---
            apiVersion: meshnet.io/v1alpha1
            kind: TrafficPolicy
            metadata: {name: ghost, namespace: blog}
            spec:
              targetRef: {kind: Service, name: ghost}
              circuitBreaker: {maxRequests: 1}
            """);

        Assert.Equal([FindingCodes.PolicyTargetMissing, FindingCodes.ExposedBeyondMesh], findings.Select(f => f.Code));
        Assert.True(MeshAnalyzer.HasErrors(findings));
    }

    [Fact]
    public void LeavesOutAnError_OfAResourceAFindingAlreadyExplains()
    {
        var input = Load(Namespace + """
            apiVersion: meshnet.io/v1alpha1
            kind: TrafficPolicy
            metadata: {name: ghost, namespace: blog}
            spec:
              targetRef: {kind: Service, name: ghost}
              circuitBreaker: {maxRequests: 1}
            """);
        var policy = Assert.Single(input.TrafficPolicies);
        input = input with
        {
            Errors = [new MeshNet.Model.ResourceError("control-plane: traffic policy", null, policy.Key, "spec.targetRef.name", "Service blog/ghost does not exist")],
        };

        var finding = Assert.Single(MeshAnalyzer.Analyze(input));
        Assert.Equal(FindingCodes.PolicyTargetMissing, finding.Code);
    }
}
