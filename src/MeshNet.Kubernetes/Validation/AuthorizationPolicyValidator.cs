using System.Globalization;
using MeshNet.Kubernetes.Crds;

namespace MeshNet.Kubernetes.Validation;

/// <summary>
/// The rules of an AuthorizationPolicy that its CRD schema cannot state: one target, names, service accounts,
/// methods and paths in the form the sidecar compares them in. Types, enums and ranges were checked against the
/// schema before this runs; whether the target Service exists is the control plane's question.
/// </summary>
internal static class AuthorizationPolicyValidator
{
    public static void Validate(V1alpha1AuthorizationPolicy policy, FieldErrors errors)
    {
        MetadataValidator.Validate(policy.Metadata, NameFormat.Dns1123Subdomain, namespaced: true, errors);
        if (policy.Spec is not { } spec)
        {
            errors.Add("spec", "required");
            return;
        }

        if ((spec.TargetRef is null) == (spec.Selector is null))
        {
            errors.Add("spec", "set exactly one of targetRef or selector");
        }

        if (spec.TargetRef is not null)
        {
            TrafficRules.ValidateTarget(spec.TargetRef, "spec.targetRef", errors);
        }

        if (spec.Selector is { } selector)
        {
            if (selector.MatchLabels is not { Count: > 0 })
            {
                errors.Add("spec.selector.matchLabels", "required: an empty selector would pick no workload");
            }

            MetadataValidator.ValidateLabels(selector.MatchLabels, "spec.selector.matchLabels", errors);
        }

        for (var i = 0; i < (spec.Rules?.Count ?? 0); i++)
        {
            ValidateRule(spec.Rules![i], Index("spec.rules", i), errors);
        }
    }

    private static void ValidateRule(AuthorizationRuleSpec? rule, string path, FieldErrors errors)
    {
        if (rule is null)
        {
            return;
        }

        for (var i = 0; i < (rule.From?.Count ?? 0); i++)
        {
            var source = rule.From![i];
            var sourcePath = Index($"{path}.from", i);
            if (source?.ServiceAccounts is not { Count: > 0 } && source?.Namespaces is not { Count: > 0 })
            {
                errors.Add(sourcePath, "set serviceAccounts or namespaces");
                continue;
            }

            Each(source.ServiceAccounts, $"{sourcePath}.serviceAccounts", ServiceAccount, errors);
            Each(source.Namespaces, $"{sourcePath}.namespaces", NameRules.Dns1123Label, errors);
        }

        for (var i = 0; i < (rule.To?.Count ?? 0); i++)
        {
            var operation = rule.To![i];
            var operationPath = Index($"{path}.to", i);
            if (operation?.Ports is not { Count: > 0 } && operation?.Methods is not { Count: > 0 } && operation?.Paths is not { Count: > 0 })
            {
                errors.Add(operationPath, "set ports, methods or paths");
                continue;
            }

            Each(operation.Methods, $"{operationPath}.methods", Method, errors);
            Each(operation.Paths, $"{operationPath}.paths", AuthorizationPaths.Validate, errors);
        }
    }

    /// <summary>"namespace/name": the namespace a DNS-1123 label, the name a DNS-1123 subdomain, as Kubernetes names them.</summary>
    private static string? ServiceAccount(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1 || value.IndexOf('/', slash + 1) >= 0)
        {
            return $"invalid service account \"{value}\": must be namespace/name";
        }

        return NameRules.Dns1123Label(value[..slash]) is { } nsError
            ? $"invalid service account \"{value}\": namespace: {nsError}"
            : NameRules.Dns1123Subdomain(value[(slash + 1)..]) is { } nameError
                ? $"invalid service account \"{value}\": name: {nameError}"
                : null;
    }

    /// <summary>Methods are compared case-sensitively, as HTTP defines them; the standard ones are upper-case.</summary>
    private static string? Method(string value)
    {
        if (TrafficRules.HeaderName(value) is not null || value.Any(char.IsAsciiLetterLower))
        {
            return $"invalid method \"{value}\": must be an upper-case HTTP method such as GET or POST";
        }

        return null;
    }

    private static void Each(IList<string>? values, string path, Func<string, string?> rule, FieldErrors errors)
    {
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            errors.Check(Index(path, i), rule(values![i] ?? string.Empty));
        }
    }

    private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
}
