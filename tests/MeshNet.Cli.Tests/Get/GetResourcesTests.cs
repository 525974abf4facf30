using System.Text.Json.Nodes;
using MeshNet.Cli.Commands;
using MeshNet.Cli.Tests.ProxyStatus;
using YamlDotNet.Serialization;

namespace MeshNet.Cli.Tests.Get;

/// <summary>
/// `meshctl get svc|endpoints|policies` against a real HTTP listener serving recorded /debug/services and
/// /debug/policies; tables are golden files under Get/testdata.
/// </summary>
public sealed class GetResourcesTests : IDisposable
{
    private static readonly string Services = File.ReadAllText(CliGolden.TestData("Get", "debug-services.json"));
    private static readonly string Policies = File.ReadAllText(CliGolden.TestData("Get", "debug-policies.json"));
    private readonly AdminServer _server = new(new()
    {
        ["/debug/services"] = (200, Services),
        ["/debug/policies"] = (200, Policies),
    });

    [Theory]
    [InlineData("get-svc-policies.txt", "blog", false, null)]
    [InlineData("get-svc-policies-all.txt", "blog", true, null)]
    public async Task Shows_ThePoliciesTargetingEachService(string golden, string ns, bool all, string? format)
    {
        using var http = Client();
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };

        var code = await new GetServicesCommand(http, _server.Url, stdout, stderr).RunAsync(ns, all, format, CancellationToken.None);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr.ToString());
        CliGolden.Assert("Get", golden, stdout.ToString());
    }

    [Theory]
    [InlineData("get-policies.txt", "policies", "blog", false, null)]
    [InlineData("get-policies-all-wide.txt", "policies", "blog", true, "wide")]
    [InlineData("get-endpoints.txt", "endpoints", "blog", false, null)]
    [InlineData("get-endpoints-wide.txt", "endpoints", "blog", false, "wide")]
    public async Task Prints_KubectlStyleTable(string golden, string kind, string ns, bool all, string? format)
    {
        var (code, stdout, stderr) = await RunAsync(kind, ns, all, format);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr);
        CliGolden.Assert("Get", golden, stdout);
    }

    [Fact]
    public async Task Yaml_ReadsBack_AsTheSameJson()
    {
        var (_, json, _) = await RunAsync("policies", "blog", false, "json");
        var (code, yaml, _) = await RunAsync("policies", "blog", false, "yaml");

        Assert.Equal(ExitCodes.Ok, code);
        var fromYaml = new DeserializerBuilder().Build().Deserialize<object>(yaml);
        var asJson = new SerializerBuilder().JsonCompatible().Build().Serialize(fromYaml);
        Assert.True(JsonNode.DeepEquals(Normalize(JsonNode.Parse(json)), Normalize(JsonNode.Parse(asJson))), yaml);
    }

    [Fact]
    public async Task Json_KeepsTheControlPlanesPolicyEntries()
    {
        var (_, json, _) = await RunAsync("policies", "shop", false, "json");

        var expected = new JsonArray(JsonNode.Parse(Policies)!.AsArray().Where(p => (string?)p!["namespace"] == "shop").Select(p => p!.DeepClone()).ToArray());
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(json)));
    }

    [Fact]
    public async Task Says_NoResourcesFound_ForAnEmptyNamespace()
    {
        var (code, stdout, stderr) = await RunAsync("endpoints", "nothing-here", false, null);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("No resources found in nothing-here namespace.\n", stderr);
    }

    public void Dispose() => _server.Dispose();

    // YAML without a schema reads every scalar as a string: compare the text of each value.
    private static JsonNode? Normalize(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Normalize(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Normalize).ToArray()),
        JsonValue value => JsonValue.Create(value.ToString().ToLowerInvariant()),
        _ => JsonValue.Create(string.Empty),
    };

    private static HttpClient Client() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string kind, string ns, bool all, string? format)
    {
        using var http = Client();
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await new GetResourcesCommand(new AdminReader(http, _server.Url, stderr), stdout, stderr).RunAsync(kind, ns, all, format, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
