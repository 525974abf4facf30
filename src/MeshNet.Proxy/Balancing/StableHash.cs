using System.Net;
using System.Runtime.InteropServices;

namespace MeshNet.Proxy.Balancing;

/// <summary>
/// A 64-bit hash that is the same in every process and on every run (string.GetHashCode is randomised per
/// process), so all sidecars place a key on the same ring position: FNV-1a (64-bit offset basis and prime, as
/// published by Fowler, Noll and Vo) over the bytes, then MurmurHash3's fmix64 finalizer, because FNV-1a alone
/// spreads short, similar keys ("pod-1#7", "pod-1#8") poorly over the ring. Strings are hashed as their UTF-16
/// code units in little-endian order.
/// </summary>
internal static class StableHash
{
    private const ulong FnvOffsetBasis = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        return Mix(hash);
    }

    public static ulong Of(ReadOnlySpan<char> text)
    {
        var hash = FnvOffsetBasis;
        foreach (var c in text)
        {
            hash ^= (byte)c;
            hash *= FnvPrime;
            hash ^= (byte)(c >> 8);
            hash *= FnvPrime;
        }

        return Mix(hash);
    }

    public static ulong Of(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out var written) ? Of(bytes[..written]) : Of(MemoryMarshal.AsBytes(address.ToString().AsSpan()));
    }

    /// <summary>MurmurHash3's 64-bit finalizer: every input bit affects every output bit.</summary>
    private static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccd;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53;
        k ^= k >> 33;
        return k;
    }
}
