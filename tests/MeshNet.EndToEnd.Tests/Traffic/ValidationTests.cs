using MeshNet.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using static MeshNet.EndToEnd.Tests.Traffic.TrafficManifests;

namespace MeshNet.EndToEnd.Tests.Traffic;

/// <summary>An invalid policy is rejected with resource and field named, and the last good version keeps routing.</summary>
public sealed class ValidationTests(ITestOutputHelper output)
{
    private const string RouteName = "backend-canary";
    private const string RouteResource = "TrafficRoute e2e/backend-canary";

    [Fact]
    public async Task InvalidRoutes_AreRejectedNamingResourceAndField_AndThePreviousVersionKeepsRouting()
    {
        await using var mesh = await TrafficBed.StartAsync(output, [TrafficBed.Versioned("backend-v1", "v1"), TrafficBed.Versioned("backend-v2", "v2")]);
        await mesh.ApplyAsync(RouteFile, Route(RouteName, "rules:", SplitRule(0, 100)), "\"e2e/backend-canary\"");
        using var load = mesh.Load();
        await AssertAllToV2Async(mesh, load, "the valid route");

        (string What, string Yaml, string Resource, string[] FieldWords)[] invalid =
        [
            ("weights all zero", Route(RouteName, "rules:", SplitRule(0, 0)), RouteResource, ["weight", "backends"]),
            ("unknown subset", Route(RouteName, "rules:", "  - backends: [{subset: {version: v9}, weight: 100}]"), RouteResource, ["subset"]),
            ("bad regular expression", Route(RouteName, "rules:", "  - matches: [{path: {type: RegularExpression, value: \"/(unclosed\"}}]", "    backends: [{subset: {version: v1}, weight: 100}]"), RouteResource, ["path", "value"]),
            ("unknown target", RouteFor("no-such-service", RouteName, "rules:", SplitRule(50, 50)), RouteResource, ["targetRef"]),
        ];
        foreach (var (what, yaml, resource, fieldWords) in invalid)
        {
            var error = await WriteAndAwaitErrorAsync(mesh, RouteFile, yaml, resource, fieldWords, what);
            mesh.Log.Note($"{what}: rejected as {error.Resource} field '{error.Field}': {error.Message}");
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
            await AssertAllToV2Async(mesh, load, $"after '{what}'");
        }

        // A bad TrafficPolicy beside the route: rejected on its own, routing unaffected.
        var policyError = await WriteAndAwaitErrorAsync(
            mesh, PolicyFile, Policy("backend-timeouts", "timeouts: {request: -2s}"), "TrafficPolicy e2e/backend-timeouts", ["timeouts"], "negative duration");
        mesh.Log.Note($"negative duration: rejected as {policyError.Resource} field '{policyError.Field}': {policyError.Message}");
        await AssertAllToV2Async(mesh, load, "after the bad policy");
    }

    private static async Task<ResourceErrorStatus> WriteAndAwaitErrorAsync(
        TrafficBed mesh, string file, string yaml, string resource, string[] fieldWords, string what)
    {
        mesh.Bed.Manifests.Write(file, yaml);
        var (errors, _) = await Poll.UntilAsync(
            mesh.Bed.Admin.ErrorsAsync,
            errors => errors.Any(e => Matches(e, resource, fieldWords)),
            TimeSpan.FromSeconds(10),
            $"{what}: /debug/errors names {resource} and a field with one of [{string.Join(", ", fieldWords)}]");
        return errors.First(e => Matches(e, resource, fieldWords));
    }

    private static bool Matches(ResourceErrorStatus error, string resource, string[] fieldWords) =>
        error.Resource == resource
        && fieldWords.Any(w => error.Field?.Contains(w, StringComparison.OrdinalIgnoreCase) == true);

    private static async Task AssertAllToV2Async(TrafficBed mesh, TrafficLoad load, string when)
    {
        var result = await load.RunAsync(100, concurrency: 4);
        mesh.Log.Note($"{when}: {result}");
        Assert.Empty(result.Failures);
        Assert.Equal(["backend-v2"], result.ByBackend.Keys);
    }
}
