using System.Globalization;
using k8s.Models;

namespace MeshNet.Kubernetes.Validation;

/// <summary>
/// What the local runner needs from a StatefulSet: a selector that selects its own template, a valid pod spec, and
/// names that make valid hostnames, since every pod's hostname is its name "&lt;statefulset&gt;-&lt;ordinal&gt;".
/// </summary>
internal static class StatefulSetValidator
{
    public static void Validate(V1StatefulSet statefulSet, FieldErrors errors)
    {
        // A pod's hostname must be a DNS label, so the set's name is held to that (Kubernetes would accept a
        // subdomain here and then fail the pods).
        MetadataValidator.Validate(statefulSet.Metadata, NameFormat.Dns1123Label, namespaced: true, errors);
        var spec = statefulSet.Spec;
        if (spec is null)
        {
            errors.Add("spec", "required");
            return;
        }

        if (spec.Replicas is < 0)
        {
            errors.Add("spec.replicas", Invariant($"invalid value {spec.Replicas}: must be 0 or more"));
        }

        if (spec.Ordinals?.Start is < 0)
        {
            errors.Add("spec.ordinals.start", Invariant($"invalid value {spec.Ordinals.Start}: must be 0 or more"));
        }

        ValidatePodNames(statefulSet, errors);

        if (!string.IsNullOrEmpty(spec.ServiceName))
        {
            errors.Check("spec.serviceName", NameRules.Dns1123Label(spec.ServiceName));
        }

        if (spec.PodManagementPolicy is { } policy && policy is not ("OrderedReady" or "Parallel"))
        {
            errors.Add("spec.podManagementPolicy", $"unsupported value \"{policy}\": must be OrderedReady or Parallel");
        }

        PodTemplateValidator.Validate("StatefulSet", spec.Selector, spec.Template, errors);
    }

    /// <summary>The last pod's name is the longest: it must still be a hostname (at most 63 characters).</summary>
    private static void ValidatePodNames(V1StatefulSet statefulSet, FieldErrors errors)
    {
        var name = statefulSet.Metadata?.Name;
        var spec = statefulSet.Spec;
        if (string.IsNullOrEmpty(name) || spec.Replicas is < 0 || spec.Ordinals?.Start is < 0)
        {
            return;
        }

        var replicas = spec.Replicas ?? 1;
        if (replicas == 0)
        {
            return;
        }

        var last = (long)(spec.Ordinals?.Start ?? 0) + replicas - 1;
        var podName = Invariant($"{name}-{last}");
        if (podName.Length > 63)
        {
            errors.Add("metadata.name", $"too long: its last pod's name \"{podName}\" (the pod's hostname) must be at most 63 characters");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
