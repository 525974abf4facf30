using MeshNet.Kubernetes.Analysis;
using MeshNet.Kubernetes.Manifests;

namespace MeshNet.Kubernetes.Tests.Analysis;

/// <summary>Manifest text through the real loader, so the tests read the same model analyze and explain do.</summary>
internal static class AnalysisFixtures
{
    public const string Namespace = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: blog}
        ---

        """;

    public const string Blog = Namespace + """
        apiVersion: v1
        kind: Service
        metadata: {name: posts, namespace: blog}
        spec:
          selector: {app: posts}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: posts-0, namespace: blog, labels: {app: posts, version: v1}}
        spec:
          containers: [{name: app, image: blog-app}]
        status:
          podIP: 10.0.0.5
          conditions: [{type: Ready, status: "True"}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: frontend-0, namespace: blog, labels: {app: frontend}}
        spec:
          serviceAccountName: frontend
          containers: [{name: app, image: blog-app}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: comments-0, namespace: blog, labels: {app: comments}}
        spec:
          serviceAccountName: comments
          containers: [{name: app, image: blog-app}]
        ---
        apiVersion: meshnet.io/v1alpha1
        kind: TrafficPolicy
        metadata: {name: posts, namespace: blog}
        spec:
          targetRef: {kind: Service, name: posts}
          timeouts: {request: 2s}
          circuitBreaker: {maxRequests: 10}
        ---
        apiVersion: meshnet.io/v1alpha1
        kind: AuthorizationPolicy
        metadata: {name: posts-deny-comments, namespace: blog}
        spec:
          targetRef: {kind: Service, name: posts}
          action: Deny
          rules:
            - from:
                - serviceAccounts: [blog/comments]

        """;

    public static AnalysisInput Load(string yaml, bool live = false) =>
        AnalysisInput.FromManifests(ManifestLoader.LoadText("test.yaml", yaml)) with { Live = live };

    public static IReadOnlyList<AnalysisFinding> Analyze(string yaml, bool live = false) => MeshAnalyzer.Analyze(Load(yaml, live));
}
