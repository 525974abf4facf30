using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MeshNet.Kubernetes.Crds;

/// <summary>
/// meshnet.io/v1alpha1 AuthorizationPolicy as written by users. The CRD schema in charts/meshnet/crds is the
/// reference for its fields.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed class V1alpha1AuthorizationPolicy() : MeshCustomResource<AuthorizationPolicySpec>(KubeKind)
{
    public const string KubeApiVersion = CrdGroup.Version;
    public const string KubeKind = "AuthorizationPolicy";
    public const string KubeGroup = CrdGroup.Name;
    public const string KubePluralName = "authorizationpolicies";
}

public sealed class AuthorizationPolicySpec
{
    /// <summary>Shares TrafficPolicy's type; this CRD's schema has no port, so the field check refuses one.</summary>
    [JsonPropertyName("targetRef")]
    public PolicyTargetRef? TargetRef { get; set; }

    [JsonPropertyName("selector")]
    public WorkloadSelectorSpec? Selector { get; set; }

    [JsonPropertyName("action")]
    public string? Action { get; set; }

    [JsonPropertyName("rules")]
    public IList<AuthorizationRuleSpec>? Rules { get; set; }
}

public sealed class WorkloadSelectorSpec
{
    [JsonPropertyName("matchLabels")]
    public IDictionary<string, string>? MatchLabels { get; set; }
}

public sealed class AuthorizationRuleSpec
{
    [JsonPropertyName("from")]
    public IList<AuthorizationSourceSpec>? From { get; set; }

    [JsonPropertyName("to")]
    public IList<AuthorizationOperationSpec>? To { get; set; }
}

public sealed class AuthorizationSourceSpec
{
    [JsonPropertyName("serviceAccounts")]
    public IList<string>? ServiceAccounts { get; set; }

    [JsonPropertyName("namespaces")]
    public IList<string>? Namespaces { get; set; }
}

public sealed class AuthorizationOperationSpec
{
    [JsonPropertyName("ports")]
    public IList<int>? Ports { get; set; }

    [JsonPropertyName("methods")]
    public IList<string>? Methods { get; set; }

    [JsonPropertyName("paths")]
    public IList<string>? Paths { get; set; }
}
