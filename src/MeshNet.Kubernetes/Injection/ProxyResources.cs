using System.Text.RegularExpressions;
using k8s.Models;

namespace MeshNet.Kubernetes.Injection;

/// <summary>The sidecar's requests and limits: the mesh defaults, overridden per pod by <c>meshnet.io/proxy-*</c> annotations.</summary>
internal static partial class ProxyResources
{
    /// <returns>Null with <paramref name="error"/> set when an annotation is not a Kubernetes quantity.</returns>
    public static V1ResourceRequirements? From(IReadOnlyDictionary<string, string>? annotations, InjectionSettings settings, out string? error)
    {
        error = null;
        var requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        var limits = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        (string Annotation, string? Default, Dictionary<string, ResourceQuantity> Target, string Resource)[] table =
        [
            (InjectionNames.ProxyCpuRequest, settings.CpuRequest, requests, "cpu"),
            (InjectionNames.ProxyMemoryRequest, settings.MemoryRequest, requests, "memory"),
            (InjectionNames.ProxyCpuLimit, settings.CpuLimit, limits, "cpu"),
            (InjectionNames.ProxyMemoryLimit, settings.MemoryLimit, limits, "memory"),
        ];
        foreach (var (annotation, fallback, target, resource) in table)
        {
            string? value = fallback;
            if (annotations is not null && annotations.TryGetValue(annotation, out var given))
            {
                if (!IsQuantity(given))
                {
                    error = $"annotation {annotation}: '{given}' is not a quantity (e.g. 100m, 0.5, 128Mi, 1Gi)";
                    return null;
                }

                value = given;
            }

            if (value is not null)
            {
                target[resource] = new ResourceQuantity(value);
            }
        }

        return new V1ResourceRequirements
        {
            Requests = requests.Count > 0 ? requests : null,
            Limits = limits.Count > 0 ? limits : null,
        };
    }

    /// <summary>The quantity grammar of k8s.io/apimachinery (number, then a binary or decimal suffix or an exponent).</summary>
    internal static bool IsQuantity(string value) => QuantityPattern().IsMatch(value);

    [GeneratedRegex(@"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex QuantityPattern();
}
