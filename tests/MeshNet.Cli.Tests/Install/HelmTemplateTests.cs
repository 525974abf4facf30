using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using MeshNet.Cli.Local;

namespace MeshNet.Cli.Tests.Install;

/// <summary>
/// meshctl install is the source of the manifests; the chart's templates are the copy. Where helm is installed this
/// renders the chart and compares every object with meshctl's (the Namespace aside: Helm's --create-namespace makes it).
/// helm is not on this machine's package registries, so without it the test says so and checks nothing.
/// </summary>
public sealed class HelmTemplateTests
{
    [Theory]
    [InlineData("")]
    [InlineData("certManager.enabled=true")]
    [InlineData("certManager.enabled=true certManager.issuer=corp-ca")]
    [InlineData("controlPlane.replicas=3 webhook.failurePolicy=Ignore identity.trustDomain=example.org")]
    public void ChartTemplates_RenderWhatMeshctlInstallRenders(string values)
    {
        var sets = values.Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(v => new[] { "--set", v }).ToArray();
        var helm = FindOnPath("helm");
        if (helm is null)
        {
            Console.WriteLine("HelmTemplateTests: helm is not installed; the chart is compared with meshctl only where it is");
            return;
        }

        var chart = Path.Combine(TestPaths.RepositoryRoot, "charts", "meshnet");
        var fromHelm = Objects(Run(helm, ["template", "meshnet", chart, "--namespace", "mesh", .. sets]));
        var fromMeshctl = Objects(InstallManifestsTests.Install(["--namespace", "mesh", "--skip-crds", .. sets]));
        fromMeshctl.Remove("Namespace/mesh");

        Assert.Equal(fromMeshctl.Keys.Order(), fromHelm.Keys.Order());
        foreach (var (key, expected) in fromMeshctl)
        {
            Assert.True(JsonNode.DeepEquals(expected, fromHelm[key]), $"{key} differs:\nmeshctl: {expected.ToJsonString()}\nhelm:    {fromHelm[key]!.ToJsonString()}");
        }
    }

    /// <summary>Each document as JSON with keys sorted, by "Kind/name".</summary>
    private static Dictionary<string, JsonNode> Objects(string yaml)
    {
        var objects = new Dictionary<string, JsonNode>();
        foreach (var text in yaml.Split("\n---").Select(d => d.Trim()).Where(d => d.Length > 0))
        {
            var node = JsonNode.Parse(KubernetesJson.Serialize(KubernetesYaml.Deserialize<object>(text)));
            if (node is JsonObject o)
            {
                objects[$"{o["kind"]}/{o["metadata"]!["name"]}"] = Sorted(o);
            }
        }

        return objects;
    }

    private static JsonNode Sorted(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(i => i is null ? null : Sorted(i))]),
        _ => JsonValue.Parse(node.ToJsonString())!,
    };

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string Run(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"helm failed: {error}");
        return output.Result;
    }
}
