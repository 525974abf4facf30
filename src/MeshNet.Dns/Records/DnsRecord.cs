using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Records;

/// <summary>
/// One resource record's type, TTL and data; the owner name is the table key it is stored under, so the same
/// record object serves every query case. Records are immutable and compared by value, which de-duplicates them.
/// </summary>
internal abstract record DnsRecord(uint Ttl)
{
    public const ushort ClassInternet = 1;

    public abstract DnsRecordType Type { get; }

    /// <summary>Writes owner, type, class IN, TTL, RDLENGTH and RDATA, or nothing at all if it does not fit.</summary>
    public bool TryWrite(ref DnsMessageWriter writer, scoped ReadOnlySpan<char> owner)
    {
        var checkpoint = writer.Mark();
        if (writer.TryWriteName(owner)
            && writer.TryWriteUInt16((ushort)Type)
            && writer.TryWriteUInt16(ClassInternet)
            && writer.TryWriteUInt32(Ttl)
            && writer.TryWriteUInt16(0))
        {
            var lengthOffset = writer.Position - 2;
            if (TryWriteData(ref writer))
            {
                writer.PatchUInt16(lengthOffset, (ushort)(writer.Position - lengthOffset - 2));
                return true;
            }
        }

        writer.Restore(checkpoint);
        return false;
    }

    protected abstract bool TryWriteData(ref DnsMessageWriter writer);
}
