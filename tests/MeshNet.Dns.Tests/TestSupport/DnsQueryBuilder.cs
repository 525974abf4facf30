using System.Buffers.Binary;
using System.Text;

namespace MeshNet.Dns.Tests.TestSupport;

/// <summary>Builds query packets byte by byte, including ones a real client would never send.</summary>
internal static class DnsQueryBuilder
{
    public const ushort A = 1, Ns = 2, Cname = 5, Soa = 6, Ptr = 12, Txt = 16, Aaaa = 28, Srv = 33, Opt = 41, Axfr = 252, Any = 255;

    public static byte[] Query(string name, ushort type, ushort id = 0x1234, int? ednsSize = null, byte ednsVersion = 0, ushort @class = 1, ushort flags = 0x0100)
    {
        var bytes = new List<byte>();
        AddUInt16(bytes, id);
        AddUInt16(bytes, flags);
        AddUInt16(bytes, 1);
        AddUInt16(bytes, 0);
        AddUInt16(bytes, 0);
        AddUInt16(bytes, (ushort)(ednsSize is null ? 0 : 1));
        bytes.AddRange(EncodeName(name));
        AddUInt16(bytes, type);
        AddUInt16(bytes, @class);
        if (ednsSize is not null)
        {
            bytes.Add(0);
            AddUInt16(bytes, Opt);
            AddUInt16(bytes, (ushort)ednsSize.Value);
            AddUInt16(bytes, ednsVersion);
            AddUInt16(bytes, 0);
            AddUInt16(bytes, 0);
        }

        return [.. bytes];
    }

    /// <summary>Length-prefixed labels with no checks, so tests can make labels and names of any size.</summary>
    public static byte[] EncodeName(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var encoded = Encoding.ASCII.GetBytes(label);
            bytes.Add((byte)encoded.Length);
            bytes.AddRange(encoded);
        }

        bytes.Add(0);
        return [.. bytes];
    }

    public static byte[] Header(ushort id, ushort flags, ushort qd, ushort an = 0, ushort ns = 0, ushort ar = 0)
    {
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), qd);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), an);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), ns);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), ar);
        return header;
    }

    private static void AddUInt16(List<byte> bytes, ushort value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }
}
