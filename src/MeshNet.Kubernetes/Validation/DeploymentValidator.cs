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

        PodTemplateValidator.Validate("Deployment", spec.Selector, spec.Template, errors);
    }
}
