namespace MeshNet.Kubernetes.Api;

/// <summary>
/// Delay before the next list or watch after consecutive failures: doubling from <see cref="Initial"/> up to
/// <see cref="Max"/>, then scaled by a random factor in [0.5, 1) so that many control plane replicas (or all
/// watchers of one) that lost the API server together do not return to it in lock step.
/// </summary>
internal sealed record WatchBackoff(TimeSpan Initial, TimeSpan Max)
{
    /// <summary>200 ms, 400 ms, ... capped at 30 s: a restarting API server is back within seconds, a broken one is not hammered.</summary>
    public static WatchBackoff Default { get; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));

    /// <param name="failures">Consecutive failures so far, at least 1.</param>
    /// <param name="random">A value in [0, 1).</param>
    public TimeSpan Delay(int failures, double random)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ceiling = Math.Min(Max.TotalMilliseconds, Initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (random / 2)));
    }
}
