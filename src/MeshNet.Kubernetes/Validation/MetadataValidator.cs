using k8s.Models;

namespace MeshNet.Kubernetes.Validation;

/// <summary>How a kind's metadata.name must look (apimachinery's name validators per kind).</summary>
internal enum NameFormat
{
    Dns1035Label,
    Dns1123Label,
    Dns1123Subdomain,
}

internal static class MetadataValidator
{
    public static void Validate(V1ObjectMeta? metadata, NameFormat format, bool namespaced, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(metadata?.Name))
        {
            errors.Add("metadata.name", "required");
        }
        else
        {
            errors.Check("metadata.name", format switch
            {
                NameFormat.Dns1035Label => NameRules.Dns1035Label(metadata.Name),
                NameFormat.Dns1123Label => NameRules.Dns1123Label(metadata.Name),
                _ => NameRules.Dns1123Subdomain(metadata.Name),
            });
        }

        if (metadata is null)
        {
            return;
        }

        if (namespaced && !string.IsNullOrEmpty(metadata.NamespaceProperty))
        {
            errors.Check("metadata.namespace", NameRules.Dns1123Label(metadata.NamespaceProperty));
        }

        ValidateLabels(metadata.Labels, "metadata.labels", errors);
        if (metadata.Annotations is not null)
        {
            foreach (var key in metadata.Annotations.Keys)
            {
                errors.Check($"metadata.annotations[{key}]", NameRules.QualifiedName(key));
            }
        }
    }

    /// <summary>Labels and equality selectors share one format.</summary>
    public static void ValidateLabels(IDictionary<string, string>? labels, string path, FieldErrors errors)
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            if (errors.Check($"{path}[{key}]", NameRules.QualifiedName(key)))
            {
                errors.Check($"{path}[{key}]", NameRules.LabelValue(value ?? string.Empty));
            }
        }
    }
}
