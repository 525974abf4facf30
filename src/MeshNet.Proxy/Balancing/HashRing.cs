using System.Globalization;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// A consistent-hash ring (Karger et al.; the Ketama layout Envoy's ring_hash uses): each destination owns
/// <see cref="VirtualNodesFor"/> points at StableHash("id#i"); a key belongs to the first point at or after its
/// hash, wrapping around. Removing a destination moves only the keys it owned (about 1/N of them).
/// </summary>
internal sealed class HashRing
{
    /// <summary>Points per destination: 160 (Ketama's count) keeps the share of each within a few percent.</summary>
    public const int PointsPerDestination = 160;

    /// <summary>The ring stays under 2^17 points (1.5 MiB) however large the cluster; big clusters get fewer per destination.</summary>
    public const int MaxPoints = 1 << 17;

    private readonly string[] _ids;
    private readonly ulong[] _hashes;
    private readonly int[] _owners;

    private HashRing(string[] ids, ulong[] hashes, int[] owners)
    {
        _ids = ids;
        _hashes = hashes;
        _owners = owners;
    }

    public int DestinationCount => _ids.Length;

    public static int VirtualNodesFor(int destinations) =>
        destinations == 0 ? 0 : Math.Max(1, Math.Min(PointsPerDestination, MaxPoints / destinations));

    public static HashRing Build(IReadOnlyList<string> destinationIds)
    {
        var ids = destinationIds.ToArray();
        var perDestination = VirtualNodesFor(ids.Length);
        var points = new (ulong Hash, int Owner)[ids.Length * perDestination];
        var n = 0;
        for (var owner = 0; owner < ids.Length; owner++)
        {
            for (var i = 0; i < perDestination; i++)
            {
                points[n++] = (StableHash.Of(string.Create(CultureInfo.InvariantCulture, $"{ids[owner]}#{i}")), owner);
            }
        }

        // Ties (two ids hashing alike) go to the lower id, so every sidecar builds the same ring whatever the order.
        Array.Sort(points, (a, b) => a.Hash != b.Hash ? a.Hash.CompareTo(b.Hash) : string.CompareOrdinal(ids[a.Owner], ids[b.Owner]));
        return new HashRing(ids, points.Select(p => p.Hash).ToArray(), points.Select(p => p.Owner).ToArray());
    }

    public bool IsFor(IReadOnlyList<string> destinationIds)
    {
        if (destinationIds.Count != _ids.Length)
        {
            return false;
        }

        for (var i = 0; i < _ids.Length; i++)
        {
            if (!string.Equals(_ids[i], destinationIds[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The index of the point owning <paramref name="hash"/>: the first at or after it, wrapping.</summary>
    public int PointFor(ulong hash)
    {
        var index = Array.BinarySearch(_hashes, hash);
        if (index < 0)
        {
            index = ~index;
        }

        return index == _hashes.Length ? 0 : index;
    }

    public int PointCount => _hashes.Length;

    /// <summary>The destination index (into the ids the ring was built for) owning point <paramref name="point"/>.</summary>
    public int OwnerAt(int point) => _owners[point];
}
