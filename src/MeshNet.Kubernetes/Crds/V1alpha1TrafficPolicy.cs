using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MeshNet.Kubernetes.Crds;

/// <summary>
/// meshnet.io/v1alpha1 TrafficPolicy as written by users, shaped like the KubernetesClient models so the same
/// loaders and watchers carry it. The CRD schema in charts/meshnet/crds is the reference for its fields.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed class V1alpha1TrafficPolicy() : MeshCustomResource<TrafficPolicySpec>(KubeKind)
{
    public const string KubeApiVersion = CrdGroup.Version;
    public const string KubeKind = "TrafficPolicy";
    public const string KubeGroup = CrdGroup.Name;
    public const string KubePluralName = "trafficpolicies";
}

public sealed class TrafficPolicySpec
{
    [JsonPropertyName("targetRef")]
    public PolicyTargetRef? TargetRef { get; set; }

    [JsonPropertyName("loadBalancer")]
    public LoadBalancerSpec? LoadBalancer { get; set; }

    [JsonPropertyName("timeouts")]
    public TimeoutsSpec? Timeouts { get; set; }

    [JsonPropertyName("retries")]
    public RetriesSpec? Retries { get; set; }

    [JsonPropertyName("circuitBreaker")]
    public CircuitBreakerSpec? CircuitBreaker { get; set; }

    [JsonPropertyName("outlierDetection")]
    public OutlierDetectionSpec? OutlierDetection { get; set; }
}

/// <summary>spec.targetRef, shared by TrafficPolicy and TrafficRoute.</summary>
public sealed class PolicyTargetRef
{
    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("port")]
    public int? Port { get; set; }
}

public sealed class LoadBalancerSpec
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("hashOn")]
    public HashOnSpec? HashOn { get; set; }
}

public sealed class HashOnSpec
{
    [JsonPropertyName("header")]
    public string? Header { get; set; }

    [JsonPropertyName("sourceIP")]
    public bool? SourceIP { get; set; }

    [JsonPropertyName("cookie")]
    public string? Cookie { get; set; }
}

/// <summary>Go-style duration strings ("500ms", "2s", "1m30s").</summary>
public sealed class TimeoutsSpec
{
    [JsonPropertyName("request")]
    public string? Request { get; set; }

    [JsonPropertyName("perTry")]
    public string? PerTry { get; set; }

    [JsonPropertyName("connect")]
    public string? Connect { get; set; }

    [JsonPropertyName("idle")]
    public string? Idle { get; set; }
}

public sealed class RetriesSpec
{
    [JsonPropertyName("attempts")]
    public int? Attempts { get; set; }

    [JsonPropertyName("on")]
    public IList<string>? On { get; set; }

    [JsonPropertyName("statusCodes")]
    public IList<int>? StatusCodes { get; set; }

    [JsonPropertyName("budget")]
    public RetryBudgetSpec? Budget { get; set; }

    [JsonPropertyName("backoff")]
    public RetryBackoffSpec? Backoff { get; set; }

    [JsonPropertyName("nonIdempotent")]
    public bool? NonIdempotent { get; set; }
}

public sealed class RetryBudgetSpec
{
    [JsonPropertyName("percent")]
    public int? Percent { get; set; }

    [JsonPropertyName("minPerSecond")]
    public int? MinPerSecond { get; set; }
}

public sealed class RetryBackoffSpec
{
    [JsonPropertyName("base")]
    public string? Base { get; set; }

    [JsonPropertyName("max")]
    public string? Max { get; set; }
}

public sealed class CircuitBreakerSpec
{
    [JsonPropertyName("maxConnections")]
    public int? MaxConnections { get; set; }

    [JsonPropertyName("maxPendingRequests")]
    public int? MaxPendingRequests { get; set; }

    [JsonPropertyName("maxRequests")]
    public int? MaxRequests { get; set; }

    [JsonPropertyName("maxRetries")]
    public int? MaxRetries { get; set; }
}

public sealed class OutlierDetectionSpec
{
    [JsonPropertyName("consecutive5xx")]
    public int? Consecutive5xx { get; set; }

    [JsonPropertyName("consecutiveGatewayErrors")]
    public int? ConsecutiveGatewayErrors { get; set; }

    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("baseEjectionTime")]
    public string? BaseEjectionTime { get; set; }

    [JsonPropertyName("maxEjectionPercent")]
    public int? MaxEjectionPercent { get; set; }
}
