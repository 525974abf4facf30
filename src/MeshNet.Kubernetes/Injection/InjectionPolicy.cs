namespace MeshNet.Kubernetes.Injection;

/// <summary>
/// Whether a pod gets a sidecar. Order: hostNetwork pods never (interception rules would rewrite the node's own
/// network namespace); an injected pod never twice; a namespace labelled "disabled" wins over any pod (the operator's
/// opt-out); then a pod annotation "disabled" or "enabled"; then the namespace label "enabled".
/// </summary>
public static class InjectionPolicy
{
    /// <returns>Null when the pod is to be injected, else why not.</returns>
    public static string? SkipReason(
        bool hostNetwork,
        bool alreadyInjected,
        IReadOnlyDictionary<string, string>? podAnnotations,
        IReadOnlyDictionary<string, string>? namespaceLabels)
    {
        if (hostNetwork)
        {
            return "hostNetwork pods are not injected";
        }

        if (alreadyInjected)
        {
            return "already injected";
        }

        var namespaceValue = Lookup(namespaceLabels);
        if (namespaceValue == InjectionNames.Disabled)
        {
            return $"namespace label {InjectionNames.Inject}={InjectionNames.Disabled}";
        }

        var podValue = Lookup(podAnnotations);
        if (podValue == InjectionNames.Disabled)
        {
            return $"pod annotation {InjectionNames.Inject}: {InjectionNames.Disabled}";
        }

        if (podValue == InjectionNames.Enabled || namespaceValue == InjectionNames.Enabled)
        {
            return null;
        }

        return $"injection not enabled (namespace label or pod annotation {InjectionNames.Inject}={InjectionNames.Enabled})";
    }

    private static string? Lookup(IReadOnlyDictionary<string, string>? values) =>
        values is not null && values.TryGetValue(InjectionNames.Inject, out var value) ? value.Trim().ToLowerInvariant() : null;
}
