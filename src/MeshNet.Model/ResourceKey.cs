namespace MeshNet.Model;

/// <summary>Identifies one mesh resource. Kind is the Kubernetes kind it came from (see <see cref="ResourceKinds"/>).</summary>
public sealed record ResourceKey(string Kind, string Namespace, string Name)
{
    /// <summary>Ordinal order by kind, namespace, name: what makes compiled output deterministic.</summary>
    public static IComparer<ResourceKey> Ordinal { get; } = Comparer<ResourceKey>.Create(static (a, b) =>
    {
        var c = string.CompareOrdinal(a.Kind, b.Kind);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(a.Namespace, b.Namespace);
        return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
    });

    public override string ToString() => Namespace.Length == 0 ? $"{Kind}/{Name}" : $"{Kind} {Namespace}/{Name}";
}

/// <summary>The kinds the mesh model knows. Workloads come from two kinds: manifest Pods and registered sidecars.</summary>
public static class ResourceKinds
{
    public const string Namespace = "Namespace";
    public const string Service = "Service";
    public const string Pod = "Pod";
    public const string Sidecar = "Sidecar";
    public const string EndpointSlice = "EndpointSlice";
    public const string TrafficPolicy = "TrafficPolicy";
    public const string TrafficRoute = "TrafficRoute";
    public const string AuthorizationPolicy = "AuthorizationPolicy";
}
