using System.Net;
using MeshNet.Model;

namespace MeshNet.ControlPlane.Allocation;

/// <summary>
/// Who holds which address of one kind (cluster IPs, or load balancer addresses) during one admission decision,
/// plus soft reservations: addresses another Service asks for explicitly, or had before a restart. Dynamic
/// allocation steers around both, so an explicit request or a returning Service is not beaten to its address.
/// </summary>
internal sealed class AddressBook
{
    private readonly Dictionary<string, ResourceKey> _claimed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _reserved = new(StringComparer.Ordinal);

    /// <summary>Claimed and reserved addresses together: a probe finds a free one within this many steps plus one.</summary>
    public int Taken => _claimed.Count + _reserved.Count;

    /// <summary>The textual form used as the key: "10.96.0.1", "fd00::1" (lower case, compressed).</summary>
    public static string Canonical(string ip) => IPAddress.TryParse(ip, out var parsed) ? parsed.ToString() : ip;

    public void Reserve(string owner, IEnumerable<string> ips)
    {
        foreach (var ip in ips)
        {
            _reserved.TryAdd(Canonical(ip), owner);
        }
    }

    public ResourceKey? Owner(string ip) => _claimed.TryGetValue(Canonical(ip), out var owner) ? owner : null;

    /// <summary>Free for <paramref name="owner"/> to take dynamically: unclaimed and, unless <paramref name="ignoreSoft"/>, not reserved for another.</summary>
    public bool FreeFor(string ip, string owner, bool ignoreSoft)
    {
        var canonical = Canonical(ip);
        return !_claimed.ContainsKey(canonical) &&
            (ignoreSoft || !_reserved.TryGetValue(canonical, out var soft) || string.Equals(soft, owner, StringComparison.Ordinal));
    }

    public void Claim(ResourceKey key, IEnumerable<string> ips)
    {
        foreach (var ip in ips)
        {
            _claimed[Canonical(ip)] = key;
        }
    }

    public void Release(ResourceKey key, IEnumerable<string> ips)
    {
        foreach (var ip in ips)
        {
            var canonical = Canonical(ip);
            if (_claimed.TryGetValue(canonical, out var owner) && owner == key)
            {
                _claimed.Remove(canonical);
            }
        }
    }

    /// <summary>
    /// A free address of <paramref name="range"/> for <paramref name="owner"/>, probing linearly from
    /// <paramref name="start"/>: first around everyone's reservations, then (the range being full of them) over
    /// reservations only. Null when every address is claimed.
    /// </summary>
    public string? Allocate(ServiceCidr range, string owner, UInt128 start)
    {
        ArgumentNullException.ThrowIfNull(range);
        // Among Taken + 1 consecutive addresses at least one is neither claimed nor reserved.
        var limit = UInt128.Min(range.UsableCount, (UInt128)(Taken + 1));
        foreach (var ignoreSoft in (bool[])[false, true])
        {
            for (UInt128 i = 0; i < limit; i++)
            {
                var candidate = range.AddressAt(start + i).ToString();
                if (FreeFor(candidate, owner, ignoreSoft))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
