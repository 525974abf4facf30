using k8s.Models;

namespace MeshNet.Kubernetes.Validation;

/// <summary>
/// The part workload controllers share (Deployment, StatefulSet): a selector that selects the controller's own
/// pod template, and a valid pod spec in it.
/// </summary>
internal static class PodTemplateValidator
{
    public static void Validate(string kind, V1LabelSelector? selector, V1PodTemplateSpec? template, FieldErrors errors)
    {
        var matchLabels = selector?.MatchLabels;
        if ((matchLabels is null || matchLabels.Count == 0) && selector?.MatchExpressions is not { Count: > 0 })
        {
            errors.Add("spec.selector", $"required: a {kind} must select its pods");
        }

        MetadataValidator.ValidateLabels(matchLabels, "spec.selector.matchLabels", errors);
        if (template is null)
        {
            errors.Add("spec.template", "required");
            return;
        }

        var templateLabels = template.Metadata?.Labels;
        MetadataValidator.ValidateLabels(templateLabels, "spec.template.metadata.labels", errors);
        foreach (var (key, value) in matchLabels ?? new Dictionary<string, string>())
        {
            if (templateLabels is null || !templateLabels.TryGetValue(key, out var actual) || actual != value)
            {
                errors.Add("spec.template.metadata.labels", $"must match spec.selector: missing {key}={value}");
            }
        }

        if (template.Spec is null)
        {
            errors.Add("spec.template.spec", "required");
        }
        else
        {
            PodValidator.ValidateSpec(template.Spec, "spec.template.spec", errors);
        }
    }
}
