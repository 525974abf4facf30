using System.Collections.Immutable;

namespace MeshNet.Cli.Demo;

/// <summary>What `meshctl demo` reports, as text or (the same fields) as JSON.</summary>
internal sealed record DemoSummary(
    int Pods,
    double ReadySeconds,
    double DurationSeconds,
    int Requests,
    int Succeeded,
    double SuccessRate,
    double LatencyP50Ms,
    double LatencyP99Ms,
    ImmutableArray<ServiceAnswers> Services,
    ImmutableArray<string> SilentServices,
    ImmutableArray<FailureCount> Failures)
{
    /// <summary>Pods whose sidecar holds a mesh certificate (speaks mTLS); compared with <see cref="Pods"/>.</summary>
    public int CertifiedSidecars { get; init; }

    /// <summary>The demo passes at 99 % success or better with every expected service heard from.</summary>
    public const double RequiredSuccessRate = 0.99;

    public bool Passed => Requests > 0 && SuccessRate >= RequiredSuccessRate && SilentServices.IsEmpty;
}

/// <summary>Which replicas of one service answered, and how often; per version too, which shows a canary's split.</summary>
internal sealed record ServiceAnswers(string Service, ImmutableArray<ReplicaAnswers> Replicas)
{
    public ImmutableArray<VersionShare> Versions { get; } = SplitByVersion(Replicas);

    private static ImmutableArray<VersionShare> SplitByVersion(ImmutableArray<ReplicaAnswers> replicas)
    {
        var total = replicas.Sum(r => r.Answers);
        return [.. replicas
            .GroupBy(r => r.Version, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new VersionShare(g.Key, g.Sum(r => r.Answers), total == 0 ? 0 : Math.Round((double)g.Sum(r => r.Answers) / total, 4)))];
    }
}

/// <param name="Share">Of the service's answers, 0 to 1.</param>
internal sealed record VersionShare(string Version, int Answers, double Share);

internal sealed record ReplicaAnswers(string Pod, string Version, int Answers);

internal sealed record FailureCount(string Reason, int Count);
