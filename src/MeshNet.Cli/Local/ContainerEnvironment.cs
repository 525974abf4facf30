using System.Text;
using k8s.Models;

namespace MeshNet.Cli.Local;

/// <summary>
/// A container's environment as the kubelet would build it: literal values with $(VAR) references to earlier
/// variables expanded, and downward-API fieldRefs resolved against the pod. Secret and ConfigMap references
/// need an API server, so they are rejected rather than silently left empty.
/// </summary>
internal static class ContainerEnvironment
{
    public static IReadOnlyList<KeyValuePair<string, string>> Resolve(V1Container container, PodIdentity pod)
    {
        var resolved = new List<KeyValuePair<string, string>>();
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            string value;
            if (variable.ValueFrom is { } source)
            {
                value = source.FieldRef is { } fieldRef
                    ? FieldValue(fieldRef.FieldPath, pod)
                    : throw new ManifestException(
                        $"container {container.Name}: env {variable.Name}: only valueFrom.fieldRef is supported in universal mode");
            }
            else
            {
                value = Expand(variable.Value ?? string.Empty, known);
            }

            known[variable.Name] = value;
            resolved.Add(new(variable.Name, value));
        }

        return resolved;
    }

    public static string FieldValue(string fieldPath, PodIdentity pod)
    {
        switch (fieldPath)
        {
            case "metadata.name":
                return pod.Name;
            case "metadata.namespace":
                return pod.Namespace;
            case "status.podIP":
            case "status.podIPs":
                return pod.Address;
            case "status.hostIP":
            case "status.hostIPs":
                return "127.0.0.1";
            case "spec.serviceAccountName":
                return pod.ServiceAccount;
            case "spec.nodeName":
                return "localhost";
            default:
                break;
        }

        const string labelsPrefix = "metadata.labels['";
        if (fieldPath.StartsWith(labelsPrefix, StringComparison.Ordinal) && fieldPath.EndsWith("']", StringComparison.Ordinal))
        {
            var key = fieldPath[labelsPrefix.Length..^2];
            return pod.Labels.TryGetValue(key, out var label) ? label : string.Empty;
        }

        throw new ManifestException($"unsupported fieldRef.fieldPath '{fieldPath}'");
    }

    /// <summary>Kubernetes' $(VAR) expansion: known names are replaced, unknown ones kept, "$$" escapes a "$".</summary>
    public static string Expand(string value, IReadOnlyDictionary<string, string> known)
    {
        var output = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '$')
            {
                output.Append('$');
                i++;
                continue;
            }

            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '(')
            {
                var close = value.IndexOf(')', i + 2);
                if (close > 0 && known.TryGetValue(value[(i + 2)..close], out var replacement))
                {
                    output.Append(replacement);
                    i = close;
                    continue;
                }
            }

            output.Append(value[i]);
        }

        return output.ToString();
    }
}
