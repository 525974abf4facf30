using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MeshNet.Dns;

/// <summary>Name rules shared by the table builder and the responder.</summary>
internal static class DnsNames
{
    public const int MaxLabelLength = 63;

    public const int MaxNameLength = 253;

    /// <summary>A label we are willing to publish: LDH plus '_' (for SRV owners), so nothing needs escaping.</summary>
    public static bool IsValidLabel(ReadOnlySpan<char> label)
    {
        if (label.IsEmpty || label.Length > MaxLabelLength)
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return false;
        }

        foreach (var range in name.Split('.'))
        {
            if (!IsValidLabel(name[range]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Lower case without a trailing dot: the form every table key and record target is stored in.</summary>
    public static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();

    public static bool IsInZone(ReadOnlySpan<char> name, string zone) =>
        name.Equals(zone, StringComparison.OrdinalIgnoreCase)
        || (name.Length > zone.Length
            && name[name.Length - zone.Length - 1] == '.'
            && name.EndsWith(zone, StringComparison.OrdinalIgnoreCase));

    /// <summary>The parent of a name (<c>a.b.c</c> → <c>b.c</c>), or empty for a single label.</summary>
    public static string Parent(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? string.Empty : name[(dot + 1)..];
    }

    /// <summary>
    /// An endpoint's generated hostname: its address with '-' for the separators (10-1-2-3, fd00--1), stable and
    /// unique within a Service, as the spec asks of a system-assigned identifier.
    /// </summary>
    public static string GeneratedHostname(IPAddress address)
    {
        var text = address.ToString();
        return text.Replace('.', '-').Replace(':', '-').ToLowerInvariant();
    }

    /// <summary>The reverse-lookup name: d.c.b.a.in-addr.arpa (RFC 1035 §3.5) or 32 nibbles.ip6.arpa (RFC 3596 §2.5).</summary>
    public static string ReverseName(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        var builder = new StringBuilder(72);
        for (var i = length - 1; i >= 0; i--)
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                builder.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
            }
            else
            {
                builder.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }
        }

        builder.Append(address.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6.arpa" : "in-addr.arpa");
        return builder.ToString();
    }

    /// <summary>Addresses as the table stores them: IPv4-mapped IPv6 becomes IPv4 and scope ids are dropped.</summary>
    public static IPAddress Canonical(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
