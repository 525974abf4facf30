namespace MeshNet.Proxy.Identity;

/// <summary>
/// When to renew and how long to wait after a failure. Renewal at half the lifetime leaves the other half to ride out
/// a control-plane outage; the ±10 % jitter (of the lifetime) keeps sidecars certified together from renewing
/// together. Failures back off 1 s, 2 s, 4 s ... capped at 15 s, so a returning control plane is used within 15 s
/// without being hammered while it is away.
/// </summary>
internal static class RenewalSchedule
{
    public const double RenewFraction = 0.5;
    public const double JitterFraction = 0.1;

    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);

    // A CA handing out (nearly) expired certificates must not turn the renewer into a busy loop.
    public static readonly TimeSpan MinDelay = TimeSpan.FromSeconds(1);

    /// <param name="uniform">A sample from [0, 1), mapped to the jitter range.</param>
    public static DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter, double uniform)
    {
        var jitter = ((Math.Clamp(uniform, 0, 1) * 2) - 1) * JitterFraction;
        return notBefore + ((notAfter - notBefore) * (RenewFraction + jitter));
    }

    /// <param name="failures">Consecutive failed attempts, at least 1.</param>
    public static TimeSpan Backoff(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 16);
        var delay = FirstBackoff * (1L << exponent);
        return delay < MaxBackoff ? delay : MaxBackoff;
    }

    public static TimeSpan DelayUntil(DateTimeOffset at, DateTimeOffset now)
    {
        var delay = at - now;
        return delay < MinDelay ? MinDelay : delay;
    }
}
