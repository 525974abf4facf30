using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MeshNet.Kubernetes.Api;

namespace MeshNet.ControlPlane.Identity;

/// <summary>
/// The API server's TokenReview answers, remembered so that sidecars renewing at half-life, and a rollout of hundreds
/// of pods certifying at once, do not each cost the API server a review. Keyed by the token's SHA-256, so the
/// cache never holds a credential. Thread-safe: Certify calls arrive concurrently.
/// </summary>
/// <remarks>
/// The positive bound is kube-apiserver's own default for caching webhook token reviews
/// (--authentication-token-webhook-cache-ttl, 2 minutes): a revoked token (its pod deleted, its ServiceAccount
/// removed) stays accepted here at most as long as the API server itself would accept it through a token webhook.
/// </remarks>
internal sealed class TokenReviewCache(TimeProvider time)
{
    /// <summary>
    /// Longest a positive answer is reused. A bound ServiceAccount token is invalidated when its pod is deleted, which
    /// only the API server knows; two minutes limits how long a deleted pod's token can still get a certificate,
    /// while a sidecar renewing every few hours (half of a 24 h certificate) still skips almost every review.
    /// </summary>
    public static readonly TimeSpan PositiveTtl = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A positive answer is dropped this long before the token's own exp, so a token is never accepted from the
    /// cache after (or within clock skew of) the moment the API server would refuse it. Projected tokens live at
    /// least 10 minutes and the kubelet replaces them at 80% of their life, so this margin never makes a current
    /// token uncacheable.
    /// </summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a refusal is reused. Long enough that a storm of one bad token (a crash-looping sidecar with a stale
    /// token, a misconfigured audience) costs one review per 10 s instead of one per attempt; short enough that a
    /// token refused because its ServiceAccount did not exist yet works soon after it is created.
    /// </summary>
    public static readonly TimeSpan NegativeTtl = TimeSpan.FromSeconds(10);

    /// <summary>
    /// One positive entry per live sidecar token: 10,000 covers a large cluster's pods, at about 300 bytes an entry
    /// (a few MB). Beyond it a review is only repeated, never wrong.
    /// </summary>
    public const int MaxPositiveEntries = 10_000;

    /// <summary>
    /// Refusals are bounded apart from successes, so a flood of distinct bad tokens evicts other refusals, never the
    /// good tokens of real sidecars.
    /// </summary>
    public const int MaxNegativeEntries = 1_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _positive = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _negative = new(StringComparer.Ordinal);

    /// <summary>Entries held, both kinds; for tests and diagnostics.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _positive.Count + _negative.Count;
            }
        }
    }

    public bool TryGet(string token, out TokenReviewResult result)
    {
        ArgumentNullException.ThrowIfNull(token);
        var key = KeyOf(token);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            foreach (var entries in (Dictionary<string, Entry>[])[_positive, _negative])
            {
                if (entries.TryGetValue(key, out var entry))
                {
                    if (entry.Expires > now)
                    {
                        result = entry.Result;
                        return true;
                    }

                    entries.Remove(key);
                }
            }
        }

        result = null!;
        return false;
    }

    /// <summary>Remembers a review's answer for as long as it may be reused; a token too close to its exp is not remembered.</summary>
    public void Add(string token, TokenReviewResult result)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(result);
        var now = time.GetUtcNow();
        var expires = now + (result.Authenticated ? PositiveTtl : NegativeTtl);
        if (result.Authenticated && ExpiryOf(token) is { } exp && exp - ExpiryMargin < expires)
        {
            expires = exp - ExpiryMargin;
        }

        if (expires <= now)
        {
            return;
        }

        var key = KeyOf(token);
        lock (_lock)
        {
            var (entries, other, max) = result.Authenticated
                ? (_positive, _negative, MaxPositiveEntries)
                : (_negative, _positive, MaxNegativeEntries);
            other.Remove(key);
            if (!entries.ContainsKey(key) && entries.Count >= max)
            {
                MakeRoom(entries, max, now);
            }

            entries[key] = new Entry(result, expires);
        }
    }

    /// <summary>
    /// The token's exp claim, read without verifying the signature: it only ever shortens how long a review the API
    /// server made is reused. Null when the token is not a JWT or has no exp (legacy Secret-based tokens never expire).
    /// </summary>
    public static DateTimeOffset? ExpiryOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("exp", out var exp) &&
                exp.ValueKind == JsonValueKind.Number &&
                exp.TryGetInt64(out var seconds) &&
                seconds is > 0 and < 253402300800
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Drops what has expired; if that frees nothing, the entry nearest its end. Only runs on a full insert, O(n) with n bounded above.</summary>
    private static void MakeRoom(Dictionary<string, Entry> entries, int max, DateTimeOffset now)
    {
        foreach (var (key, entry) in entries)
        {
            if (entry.Expires <= now)
            {
                entries.Remove(key);
            }
        }

        if (entries.Count >= max)
        {
            var soonest = entries.MinBy(p => p.Value.Expires).Key;
            entries.Remove(soonest);
        }
    }

    private static string KeyOf(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed record Entry(TokenReviewResult Result, DateTimeOffset Expires);
}
