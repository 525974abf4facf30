using System.Collections.Immutable;
using System.Text.Json;
using k8s;
using k8s.Models;
using MeshNet.Kubernetes.Conversion;
using MeshNet.Kubernetes.Manifests;
using MeshNet.Kubernetes.Validation;
using MeshNet.Model;

namespace MeshNet.Kubernetes.Api;

/// <summary>What one object from the API became: the mesh resource, or why it is not one.</summary>
/// <param name="Resource">Null when the object is invalid (see <paramref name="Errors"/>) or of a kind the mesh does not model.</param>
internal sealed record ApiObjectOutcome(ResourceKey Key, MeshResource? Resource, ImmutableArray<ResourceError> Errors);

/// <summary>
/// Turns an object from the API server into the mesh model with the validators and converters universal mode uses
/// for manifests. The strict field check of manifests is skipped: the API server already held the object to its
/// schema (the same CRD schemas for MeshNet's kinds), and a newer server's fields must not make a Pod invalid here.
/// </summary>
internal static class ApiObjectReader
{
    public static ResourceKey KeyOf(ApiResourceKind kind, V1ObjectMeta? metadata) =>
        new(
            kind.Kind,
            kind.Manifest.Namespaced ? string.IsNullOrEmpty(metadata?.NamespaceProperty) ? ManifestParser.DefaultNamespace : metadata.NamespaceProperty : string.Empty,
            metadata?.Name ?? string.Empty);

    public static ApiObjectOutcome Read(ApiResourceKind kind, IKubernetesObject<V1ObjectMeta> item, string origin)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(item);
        var key = KeyOf(kind, item.Metadata);
        var errors = new FieldErrors();
        try
        {
            kind.Manifest.Validate(item, errors);
        }
        catch (Exception ex) when (ex is InvalidCastException or ArgumentException or FormatException or JsonException)
        {
            errors.Add(string.Empty, ex.Message);
        }

        if (errors.Items.Count > 0)
        {
            return new ApiObjectOutcome(key, null, [.. errors.Items.Select(e => new ResourceError(origin, null, key, NullIfEmpty(e.Field), e.Message))]);
        }

        if (kind.Manifest.Namespaced)
        {
            item.Metadata.NamespaceProperty = key.Namespace;
        }

        try
        {
            return new ApiObjectOutcome(key, MeshResourceConverter.TryConvert(item), []);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // The validators should have caught this; keep the object out rather than stop the watch.
            return new ApiObjectOutcome(key, null, [new ResourceError(origin, null, key, null, ex.Message)]);
        }
    }

    private static string? NullIfEmpty(string field) => field.Length == 0 ? null : field;
}
