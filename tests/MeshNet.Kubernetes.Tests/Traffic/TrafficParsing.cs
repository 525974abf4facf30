using System.Text.Json;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Kubernetes.Manifests;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Tests.Traffic;

/// <summary>Runs a document through the manifest parser and the converter, as the directory source does.</summary>
internal static class TrafficParsing
{
    public const string PolicyHeader = "apiVersion: meshnet.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: posts, namespace: blog}\n";
    public const string RouteHeader = "apiVersion: meshnet.io/v1alpha1\nkind: TrafficRoute\nmetadata: {name: posts, namespace: blog}\n";

    public static MeshResource Accept(string yaml)
    {
        var result = ManifestParser.Parse("t.yaml", yaml);
        var errors = string.Join("\n", result.Errors.Select(e => e.ToString()));
        Assert.True(errors.Length == 0, errors);
        var accepted = Assert.Single(result.Objects);
        return MeshResourceConverter.TryConvert(accepted.Resource) ?? throw new InvalidOperationException("not a mesh kind");
    }

    public static string Reject(string yaml)
    {
        var result = ManifestParser.Parse("t.yaml", yaml);
        Assert.Empty(result.Objects);
        return string.Join("\n", result.Errors.Select(e => e.ToString()));
    }

    /// <summary>Records hold ImmutableArrays, which compare by reference; JSON compares what they hold.</summary>
    public static void AssertSame(MeshResource expected, MeshResource actual) =>
        Assert.Equal(Json(expected), Json(actual));

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string Json(MeshResource resource) => JsonSerializer.Serialize(resource, resource.GetType(), Indented);
}
