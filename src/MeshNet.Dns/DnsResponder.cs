using MeshNet.Dns.Records;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns;

/// <summary>
/// Answers DNS queries from the current <see cref="DnsRecordTable"/>: authoritatively (AA) for the cluster zone and
/// for the reverse names of known addresses, with <see cref="DnsOutcome.NotInZone"/> for everything else so the
/// caller can forward it. Thread-safe: the table is swapped atomically and every call reads it once.
/// Allocation-free for table hits; the caller owns both buffers.
/// </summary>
public sealed class DnsResponder
{
    /// <summary>The largest UDP reply we send or advertise, the size that avoids IP fragmentation (DNS flag day 2020).</summary>
    public const ushort MaxUdpPayloadSize = 1232;

    /// <summary>The UDP reply limit without EDNS0 (RFC 1035 §4.2.1).</summary>
    public const int ClassicUdpPayloadSize = 512;

    /// <summary>A TCP message carries a 16-bit length (RFC 1035 §4.2.2).</summary>
    public const int MaxMessageSize = ushort.MaxValue;

    private const int MaxCnameChain = 8;
    private const int CompressionTargets = 128;
    private const ushort ClassAny = 255;

    private readonly bool _recursionAvailable;
    private DnsRecordTable _table;

    /// <param name="table">The initial table.</param>
    /// <param name="recursionAvailable">Whether to set RA: true when the caller forwards names outside the zone.</param>
    public DnsResponder(DnsRecordTable table, bool recursionAvailable = false)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _recursionAvailable = recursionAvailable;
    }

    public DnsRecordTable Table => Volatile.Read(ref _table);

    /// <summary>Replaces the table; queries already running finish on the old one.</summary>
    public void Update(DnsRecordTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        Interlocked.Exchange(ref _table, table);
    }

    /// <summary>
    /// Answers <paramref name="query"/> into <paramref name="destination"/> (at least 512 bytes; 65535 for any TCP
    /// answer). Never throws on malformed input: FORMERR when the header could be read, otherwise dropped.
    /// </summary>
    public DnsResponse Respond(ReadOnlySpan<byte> query, Span<byte> destination, DnsTransport transport)
    {
        if (destination.Length < ClassicUdpPayloadSize)
        {
            throw new ArgumentException($"The destination must hold at least {ClassicUdpPayloadSize} bytes.", nameof(destination));
        }

        if (!DnsHeader.TryRead(query, out var header) || header.IsResponse)
        {
            return DnsResponse.Dropped;
        }

        if (header.Opcode != DnsHeader.OpcodeQuery)
        {
            return HeaderOnly(header, DnsResponseCode.NotImplemented, destination);
        }

        Span<char> nameBuffer = stackalloc char[DnsMessageReader.MaxNameTextLength];
        if (!QueryParser.TryParse(query, header, nameBuffer, out var question))
        {
            return HeaderOnly(header, DnsResponseCode.FormatError, destination);
        }

        var limit = transport == DnsTransport.Tcp
            ? Math.Min(destination.Length, MaxMessageSize)
            : Math.Min(destination.Length, question.HasEdns ? Math.Clamp((int)question.UdpPayloadSize, ClassicUdpPayloadSize, MaxUdpPayloadSize) : ClassicUdpPayloadSize);

        Span<ushort> labelOffsets = stackalloc ushort[CompressionTargets];
        var composer = new ResponseComposer(destination, labelOffsets, limit, question.HasEdns);
        if (!composer.TryStart(query[DnsHeader.Size..question.End]))
        {
            return DnsResponse.Dropped;
        }

        var table = Table;
        var name = nameBuffer[..question.NameLength];
        var outcome = DnsOutcome.Answered;
        DnsResponseCode code;
        var authoritative = true;
        if (question.EdnsVersion != 0)
        {
            code = DnsResponseCode.BadVersion;
            authoritative = false;
        }
        else if (!table.TryFind(name, out var records) && !table.IsInZone(name))
        {
            outcome = DnsOutcome.NotInZone;
            code = DnsResponseCode.Refused;
            authoritative = false;
        }
        else if ((question.Class != DnsRecord.ClassInternet && question.Class != ClassAny)
            || question.Type is (ushort)DnsRecordType.Axfr or (ushort)DnsRecordType.Ixfr)
        {
            code = DnsResponseCode.Refused;
            authoritative = false;
        }
        else if (records is not null)
        {
            code = Resolve(ref composer, table, name, records, (DnsRecordType)question.Type);
        }
        else
        {
            code = PodRecords.Resolve(ref composer, table, name, (DnsRecordType)question.Type);
        }

        var length = composer.Finish(header, code, authoritative, _recursionAvailable);
        return new DnsResponse(outcome, length, limit);
    }

    /// <summary>Answers from the records at a name, following CNAMEs inside the table (RFC 1034 §4.3.2 step 3).</summary>
    private static DnsResponseCode Resolve(ref ResponseComposer composer, DnsRecordTable table, ReadOnlySpan<char> name, DnsRecord[] records, DnsRecordType type)
    {
        ReadOnlySpan<char> owner = name;
        for (var hop = 0; hop < MaxCnameChain; hop++)
        {
            if (TryAnswer(ref composer, table, owner, records, type))
            {
                return DnsResponseCode.NoError;
            }

            var cname = FindCname(records);
            if (cname is null)
            {
                AddNegativeAuthority(ref composer, table, owner);
                return DnsResponseCode.NoError;
            }

            if (!composer.TryAddAnswer(owner, cname))
            {
                return DnsResponseCode.NoError;
            }

            owner = cname.Target;
            if (!table.TryFind(owner, out var next))
            {
                // A target outside the zone is the resolver's to chase; one inside that is missing does not exist.
                if (!table.IsInZone(owner))
                {
                    return DnsResponseCode.NoError;
                }

                AddNegativeAuthority(ref composer, table, owner);
                return DnsResponseCode.NameError;
            }

            records = next;
        }

        return DnsResponseCode.ServerFailure;
    }

    private static bool TryAnswer(ref ResponseComposer composer, DnsRecordTable table, ReadOnlySpan<char> owner, DnsRecord[] records, DnsRecordType type)
    {
        var matched = false;
        foreach (var record in records)
        {
            if (type == DnsRecordType.Any || record.Type == type)
            {
                matched = true;
                if (!composer.TryAddAnswer(owner, record))
                {
                    return true;
                }
            }
        }

        if (matched)
        {
            AddSrvTargets(ref composer, table, records, type);
        }

        return matched;
    }

    /// <summary>The addresses of SRV targets go in the additional section (spec §2.3.2 and §2.4.2), once per target.</summary>
    private static void AddSrvTargets(ref ResponseComposer composer, DnsRecordTable table, DnsRecord[] records, DnsRecordType type)
    {
        if (type is not (DnsRecordType.Srv or DnsRecordType.Any))
        {
            return;
        }

        for (var i = 0; i < records.Length; i++)
        {
            if (records[i] is not SrvRecord srv || IsEarlierTarget(records, i, srv.Target) || !table.TryFind(srv.Target, out var targetRecords))
            {
                continue;
            }

            foreach (var record in targetRecords)
            {
                if (record is AddressRecord)
                {
                    composer.AddAdditional(srv.Target, record);
                }
            }
        }
    }

    private static bool IsEarlierTarget(DnsRecord[] records, int index, string target)
    {
        for (var i = 0; i < index; i++)
        {
            if (records[i] is SrvRecord earlier && earlier.Target == target)
            {
                return true;
            }
        }

        return false;
    }

    private static NameRecord? FindCname(DnsRecord[] records)
    {
        foreach (var record in records)
        {
            if (record is NameRecord { RecordType: DnsRecordType.Cname } cname)
            {
                return cname;
            }
        }

        return null;
    }

    /// <summary>NXDOMAIN and NODATA carry the SOA so resolvers can cache the negative answer (RFC 2308 §3).</summary>
    internal static void AddNegativeAuthority(ref ResponseComposer composer, DnsRecordTable table, ReadOnlySpan<char> name)
    {
        ReadOnlySpan<char> owner = table.IsInZone(name) ? table.Zone
            : name.EndsWith("ip6.arpa", StringComparison.OrdinalIgnoreCase) ? "ip6.arpa"
            : "in-addr.arpa";
        composer.TryAddAuthority(owner, table.Soa);
    }

    private static DnsResponse HeaderOnly(DnsHeader query, DnsResponseCode code, Span<byte> destination)
    {
        var flags = DnsHeader.ResponseFlagsFor(query.Flags, (int)code, authoritative: false, recursionAvailable: false);
        new DnsHeader(query.Id, flags, 0, 0, 0, 0).Write(destination);
        return new DnsResponse(DnsOutcome.Answered, DnsHeader.Size, ClassicUdpPayloadSize);
    }
}
