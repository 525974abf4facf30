using System.Collections.Immutable;
using MeshNet.Model.Traffic;

namespace MeshNet.Kubernetes.Conversion;

/// <summary>
/// Field defaults inside a section the user did give, matching the <c>default</c>s of the CRD schemas (the API
/// server fills those in Kubernetes mode; a test keeps the two equal). Whole sections left out stay null: the
/// control plane fills those with MeshNet's defaults.
/// </summary>
public static class TrafficDefaults
{
    public static ImmutableArray<string> RetryOn { get; } = [RetryConditions.ConnectFailure, RetryConditions.Reset];

    public const int RetryBudgetPercent = 20;

    public const int RetryBudgetMinPerSecond = 10;

    public static TimeSpan RetryBackoffBase { get; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Envoy's rule: without a max, backoff grows to ten times its base.</summary>
    public const int RetryBackoffMaxFactor = 10;

    public const int BackendWeight = 1;

    public const PathMatchType PathType = PathMatchType.PathPrefix;

    public const HeaderMatchType HeaderType = HeaderMatchType.Exact;
}
