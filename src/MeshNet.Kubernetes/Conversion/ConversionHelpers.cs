using System.Collections.Immutable;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Conversion;

internal static class ConversionHelpers
{
    public static ImmutableDictionary<string, string> ToImmutable(IDictionary<string, string>? source) =>
        source is null || source.Count == 0
            ? LabelSelector.Empty
            : LabelSelector.Empty.AddRange(source.Where(p => p.Key is not null).Select(p => KeyValuePair.Create(p.Key, p.Value ?? string.Empty)));

    public static string NamespaceOf(k8s.Models.V1ObjectMeta? metadata) =>
        string.IsNullOrEmpty(metadata?.NamespaceProperty) ? Manifests.ManifestParser.DefaultNamespace : metadata.NamespaceProperty;

    public static string ProtocolOrDefault(string? protocol) => string.IsNullOrEmpty(protocol) ? "TCP" : protocol;
}
