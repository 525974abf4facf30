using System.Globalization;
using MeshNet.Kubernetes.Crds;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Validation;

/// <summary>
/// The rules of a TrafficRoute that its CRD schema cannot state: paths, regular expressions, header names,
/// backend shapes and weights. Whether the target, the subsets or the backend Services exist is the control
/// plane's question.
/// </summary>
internal static class TrafficRouteValidator
{
    public static void Validate(V1alpha1TrafficRoute route, FieldErrors errors)
    {
        MetadataValidator.Validate(route.Metadata, NameFormat.Dns1123Subdomain, namespaced: true, errors);
        if (route.Spec is not { } spec)
        {
            errors.Add("spec", "required");
            return;
        }

        TrafficRules.ValidateTarget(spec.TargetRef, "spec.targetRef", errors);
        if (spec.Rules is not { Count: > 0 } rules)
        {
            errors.Add("spec.rules", "required");
            return;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var path = Index("spec.rules", i);
            var matches = rules[i].Matches ?? [];
            for (var j = 0; j < matches.Count; j++)
            {
                ValidateMatch(matches[j], Index($"{path}.matches", j), errors);
            }

            ValidateBackends(rules[i].Backends, $"{path}.backends", errors);
        }
    }

    private static void ValidateMatch(RouteMatchSpec match, string path, FieldErrors errors)
    {
        if (match.Path is { Value: { } value } pathMatch)
        {
            if (pathMatch.Type == nameof(PathMatchType.RegularExpression))
            {
                errors.Check($"{path}.path.value", TrafficRules.RegularExpression(value));
            }
            else if (!value.StartsWith('/'))
            {
                errors.Add($"{path}.path.value", $"invalid path \"{value}\": must start with \"/\"");
            }
        }

        var headers = match.Headers ?? [];
        for (var k = 0; k < headers.Count; k++)
        {
            var headerPath = Index($"{path}.headers", k);
            if (headers[k].Name is { } name)
            {
                errors.Check($"{headerPath}.name", TrafficRules.HeaderName(name));
            }

            if (headers[k].Type == nameof(HeaderMatchType.RegularExpression) && headers[k].Value is { } pattern)
            {
                errors.Check($"{headerPath}.value", TrafficRules.RegularExpression(pattern));
            }
        }
    }

    private static void ValidateBackends(IList<RouteBackendSpec>? backends, string path, FieldErrors errors)
    {
        if (backends is not { Count: > 0 })
        {
            errors.Add(path, "required");
            return;
        }

        for (var k = 0; k < backends.Count; k++)
        {
            var backend = backends[k];
            var backendPath = Index(path, k);
            if ((backend.Subset is null) == (backend.Service is null))
            {
                errors.Add(backendPath, "set exactly one of subset or service");
            }

            if (backend.Subset is { } subset)
            {
                MetadataValidator.ValidateLabels(subset, $"{backendPath}.subset", errors);
                if (backend.Port is not null)
                {
                    errors.Add($"{backendPath}.port", "only allowed with service");
                }
            }

            if (backend.Service is { } service)
            {
                errors.Check($"{backendPath}.service", NameRules.Dns1035Label(service));
            }
        }

        if (backends.All(b => b.Weight == 0))
        {
            errors.Add(path, "weights are all zero");
        }
    }

    private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
}
