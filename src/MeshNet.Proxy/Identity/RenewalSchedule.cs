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

    // A new signer (phase 2 of a trust-anchor rotation) spreads the re-certification of every sidecar over this
    // share of the lifetime, never longer than the cap: the old leaves stay valid meanwhile, but the operator waits
    // for the last sidecar before dropping the old root.
    public const double SignerChangeFraction = 0.1;
    public static readonly TimeSpan SignerChangeCap = TimeSpan.FromSeconds(30);

    /// <param name="start">
    /// When the certificate's life began for this sidecar: the later of its notBefore and the moment it arrived. The
    /// CA backdates notBefore a minute for clock skew, which must not count as lifetime already spent (with a one
    /// minute leaf it would be half of it).
    /// </param>
    /// <param name="uniform">A sample from [0, 1), mapped to the jitter range.</param>
    public static DateTimeOffset RenewAt(DateTimeOffset start, DateTimeOffset notAfter, double uniform)
    {
        var jitter = ((Math.Clamp(uniform, 0, 1) * 2) - 1) * JitterFraction;
        return start + ((notAfter - start) * (RenewFraction + jitter));
    }

    /// <summary>How long after a signer change to re-certify: uniform over [0, min(10 % of the lifetime, 30 s)).</summary>
    public static TimeSpan SignerChangeDelay(TimeSpan lifetime, double uniform)
    {
        var bound = lifetime * SignerChangeFraction;
        bound = bound < SignerChangeCap ? bound : SignerChangeCap;
        return bound < TimeSpan.Zero ? TimeSpan.Zero : bound * Math.Clamp(uniform, 0, 1);
    }

    /// <summary>
    /// <see cref="Backoff(int)"/>, but never more than a quarter of the time the current certificate has left (and
    /// not under the first step): a sidecar whose leaf is about to expire asks a returning control plane sooner.
    /// </summary>
    public static TimeSpan Backoff(int failures, TimeSpan untilExpiry)
    {
        var delay = Backoff(failures);
        if (untilExpiry <= TimeSpan.Zero)
        {
            return delay;
        }

        var quarter = untilExpiry / 4;
        return quarter >= delay ? delay : quarter < FirstBackoff ? FirstBackoff : quarter;
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
