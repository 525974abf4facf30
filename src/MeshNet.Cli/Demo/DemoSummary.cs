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
    /// <summary>The demo passes at 99 % success or better with every expected service heard from.</summary>
    public const double RequiredSuccessRate = 0.99;

    public bool Passed => Requests > 0 && SuccessRate >= RequiredSuccessRate && SilentServices.IsEmpty;
}

/// <summary>Which replicas of one service answered, and how often.</summary>
internal sealed record ServiceAnswers(string Service, ImmutableArray<ReplicaAnswers> Replicas);

internal sealed record ReplicaAnswers(string Pod, string Version, int Answers);

internal sealed record FailureCount(string Reason, int Count);
