using System.Globalization;
using System.Text;
using MeshNet.EndToEnd.Tests.Harness;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>
/// meshnet.io/v1alpha1 TrafficPolicy and TrafficRoute YAML for the "backend" Service, as a user would write it.
/// Specs are given as YAML lines (flow style keeps each test's policy readable on a few lines).
/// </summary>
internal static class TrafficManifests
{
    public const string PolicyFile = "backend-policy.yaml";
    public const string RouteFile = "backend-route.yaml";

    /// <summary>A TrafficPolicy on Service "backend"; <paramref name="specLines"/> follow <c>targetRef</c> under <c>spec</c>.</summary>
    public static string Policy(string name, params string[] specLines) =>
        Resource("TrafficPolicy", name, specLines);

    /// <summary>A TrafficRoute on Service "backend"; <paramref name="specLines"/> follow <c>targetRef</c> under <c>spec</c>.</summary>
    public static string Route(string name, params string[] specLines) =>
        Resource("TrafficRoute", name, specLines);

    /// <summary>A TrafficRoute on Service <paramref name="target"/> (which may not exist).</summary>
    public static string RouteFor(string target, string name, params string[] specLines) =>
        Resource("TrafficRoute", name, specLines, target);

    /// <summary>One rule splitting traffic between the v1 and v2 subsets (label <c>version</c>).</summary>
    public static string SplitRule(int v1Weight, int v2Weight) => string.Create(
        CultureInfo.InvariantCulture,
        $"  - backends: [{{subset: {{version: v1}}, weight: {v1Weight}}}, {{subset: {{version: v2}}, weight: {v2Weight}}}]");

    /// <summary>Service "backend" with <c>sessionAffinity: ClientIP</c> (the default 10800 s timeout).</summary>
    public static (string File, string Yaml) AffinityServiceManifest() =>
        ("backend-service.yaml", $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {MeshScenario.BackendService}
              namespace: {MeshTestBed.Namespace}
            spec:
              type: ClusterIP
              sessionAffinity: ClientIP
              selector:
                app: backend
              ports:
                - name: http
                  port: 80
                  targetPort: {MeshTestBed.HttpPortName}
                  protocol: TCP
            """);

    private static string Resource(string kind, string name, string[] specLines, string target = MeshScenario.BackendService)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            apiVersion: meshnet.io/v1alpha1
            kind: {kind}
            metadata:
              name: {name}
              namespace: {MeshTestBed.Namespace}
            spec:
              targetRef: {"{"}kind: Service, name: {target}{"}"}

            """);
        foreach (var line in specLines)
        {
            yaml.Append("  ").Append(line).Append('\n');
        }

        return yaml.ToString();
    }
}
