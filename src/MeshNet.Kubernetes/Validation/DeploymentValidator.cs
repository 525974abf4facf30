using System.Globalization;
using k8s.Models;

namespace MeshNet.Kubernetes.Validation;

/// <summary>What the local runner needs from a Deployment: a selector that selects its own template, and a valid pod spec.</summary>
internal static class DeploymentValidator
{
    public static void Validate(V1Deployment deployment, FieldErrors errors)
    {
        MetadataValidator.Validate(deployment.Metadata, NameFormat.Dns1123Subdomain, namespaced: true, errors);
        var spec = deployment.Spec;
        if (spec is null)
        {
            errors.Add("spec", "required");
            return;
        }

        if (spec.Replicas is < 0)
        {
            errors.Add("spec.replicas", string.Create(CultureInfo.InvariantCulture, $"invalid value {spec.Replicas}: must be 0 or more"));
        }

        var matchLabels = spec.Selector?.MatchLabels;
        if ((matchLabels is null || matchLabels.Count == 0) && spec.Selector?.MatchExpressions is not { Count: > 0 })
        {
            errors.Add("spec.selector", "required: a Deployment must select its pods");
        }

        MetadataValidator.ValidateLabels(matchLabels, "spec.selector.matchLabels", errors);

        if (spec.Template is null)
        {
            errors.Add("spec.template", "required");
            return;
        }

        var templateLabels = spec.Template.Metadata?.Labels;
        MetadataValidator.ValidateLabels(templateLabels, "spec.template.metadata.labels", errors);
        if (matchLabels is not null)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (templateLabels is null || !templateLabels.TryGetValue(key, out var actual) || actual != value)
                {
                    errors.Add("spec.template.metadata.labels", $"must match spec.selector: missing {key}={value}");
                }
            }
        }

        if (spec.Template.Spec is null)
        {
            errors.Add("spec.template.spec", "required");
        }
        else
        {
            PodValidator.ValidateSpec(spec.Template.Spec, "spec.template.spec", errors);
        }
    }
}
