using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MeshNet.Kubernetes.Crds;

/// <summary>
/// meshnet.io/v1alpha1 TrafficRoute as written by users. The CRD schema in charts/meshnet/crds is the reference
/// for its fields.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed class V1alpha1TrafficRoute() : MeshCustomResource<TrafficRouteSpec>(KubeKind)
{
    public const string KubeApiVersion = CrdGroup.Version;
    public const string KubeKind = "TrafficRoute";
    public const string KubeGroup = CrdGroup.Name;
    public const string KubePluralName = "trafficroutes";
}

public sealed class TrafficRouteSpec
{
    [JsonPropertyName("targetRef")]
    public PolicyTargetRef? TargetRef { get; set; }

    [JsonPropertyName("rules")]
    public IList<RouteRuleSpec>? Rules { get; set; }
}

public sealed class RouteRuleSpec
{
    [JsonPropertyName("matches")]
    public IList<RouteMatchSpec>? Matches { get; set; }

    [JsonPropertyName("backends")]
    public IList<RouteBackendSpec>? Backends { get; set; }
}

public sealed class RouteMatchSpec
{
    [JsonPropertyName("path")]
    public PathMatchSpec? Path { get; set; }

    [JsonPropertyName("headers")]
    public IList<HeaderMatchSpec>? Headers { get; set; }

    [JsonPropertyName("method")]
    public string? Method { get; set; }
}

public sealed class PathMatchSpec
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }
}

public sealed class HeaderMatchSpec
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }
}

/// <summary>Exactly one of <see cref="Subset"/> (endpoint labels of the target) or <see cref="Service"/>.</summary>
public sealed class RouteBackendSpec
{
    [JsonPropertyName("subset")]
    public IDictionary<string, string>? Subset { get; set; }

    [JsonPropertyName("service")]
    public string? Service { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }

    [JsonPropertyName("weight")]
    public int? Weight { get; set; }
}
