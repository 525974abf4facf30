using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MeshNet.Dns.Records;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns;

/// <summary>
/// The deprecated pod records of the spec (§2.6): <c>a-b-c-d.&lt;ns&gt;.pod.&lt;zone&gt;</c> resolves to a.b.c.d in any
/// namespace, so they are synthesized from the name instead of stored. IPv6 uses '-' for ':' the same way.
/// </summary>
internal static class PodRecords
{
    private const string PodSuffix = ".pod";

    private static readonly SearchValues<char> DigitsAndDash = SearchValues.Create("0123456789-");

    /// <summary>Answers a name inside the zone that the table does not hold: a pod record, a namespace under pod, or NXDOMAIN.</summary>
    public static DnsResponseCode Resolve(ref ResponseComposer composer, DnsRecordTable table, ReadOnlySpan<char> name, DnsRecordType type)
    {
        var zone = table.Zone;
        var relative = name.Length > zone.Length ? name[..(name.Length - zone.Length - 1)] : [];
        if (relative.EndsWith(PodSuffix, StringComparison.OrdinalIgnoreCase))
        {
            var inner = relative[..^PodSuffix.Length];
            var dot = inner.IndexOf('.');
            if (dot < 0 && DnsNames.IsValidLabel(inner))
            {
                DnsResponder.AddNegativeAuthority(ref composer, table, name);
                return DnsResponseCode.NoError;
            }

            if (dot > 0 && DnsNames.IsValidLabel(inner[(dot + 1)..]) && TryParseDashed(inner[..dot], out var address))
            {
                var record = new AddressRecord(address, table.Options.TtlSeconds);
                if (type == DnsRecordType.Any || type == record.Type)
                {
                    composer.TryAddAnswer(name, record);
                }
                else
                {
                    DnsResponder.AddNegativeAuthority(ref composer, table, name);
                }

                return DnsResponseCode.NoError;
            }
        }

        DnsResponder.AddNegativeAuthority(ref composer, table, name);
        return DnsResponseCode.NameError;
    }

    internal static bool TryParseDashed(ReadOnlySpan<char> label, out IPAddress address)
    {
        address = IPAddress.None;
        if (label.IsEmpty || label.Length > 45)
        {
            return false;
        }

        Span<char> text = stackalloc char[label.Length];
        var ipv4 = label.Count('-') == 3 && !label.ContainsAnyExcept(DigitsAndDash);
        for (var i = 0; i < label.Length; i++)
        {
            text[i] = label[i] == '-' ? (ipv4 ? '.' : ':') : label[i];
        }

        if (!IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        var expected = ipv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if (parsed.AddressFamily != expected)
        {
            return false;
        }

        address = parsed;
        return true;
    }
}
