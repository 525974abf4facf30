using MeshNet.Dns.Records;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns;

/// <summary>
/// Builds one response section by section over a <see cref="DnsMessageWriter"/>. Answer and authority records that
/// do not fit set TC and stop everything after them; additional records that do not fit are just left out, since
/// the answer is complete without them (RFC 2181 §9). Room for the OPT record is held back from the start.
/// </summary>
internal ref struct ResponseComposer
{
    /// <summary>OPT with an empty RDATA: root name, type, class, TTL, RDLENGTH.</summary>
    public const int OptRecordSize = 11;

    private DnsMessageWriter _writer;
    private readonly int _limit;
    private readonly bool _withOpt;
    private ushort _answers;
    private ushort _authority;
    private ushort _additional;

    public ResponseComposer(Span<byte> destination, Span<ushort> labelOffsets, int limit, bool withOpt)
    {
        _writer = new DnsMessageWriter(destination[..limit], labelOffsets);
        _limit = limit;
        _withOpt = withOpt;
    }

    public bool Truncated { get; private set; }

    public bool TryStart(scoped ReadOnlySpan<byte> questionSection)
    {
        Span<byte> header = stackalloc byte[DnsHeader.Size];
        header.Clear();
        var questionName = questionSection[..^4];
        if (!_writer.TryWriteBytes(header) || !_writer.TryWriteWireName(questionName) || !_writer.TryWriteBytes(questionSection[^4..]))
        {
            return false;
        }

        _writer.Limit = _limit - (_withOpt ? OptRecordSize : 0);
        return true;
    }

    public bool TryAddAnswer(scoped ReadOnlySpan<char> owner, DnsRecord record) => TryAdd(owner, record, ref _answers);

    public bool TryAddAuthority(scoped ReadOnlySpan<char> owner, DnsRecord record) => TryAdd(owner, record, ref _authority);

    public void AddAdditional(scoped ReadOnlySpan<char> owner, DnsRecord record)
    {
        if (!Truncated && record.TryWrite(ref _writer, owner))
        {
            _additional++;
        }
    }

    /// <summary>Writes OPT (when the query had one) and the header; returns the message length.</summary>
    public int Finish(DnsHeader query, DnsResponseCode code, bool authoritative, bool recursionAvailable)
    {
        var rcode = (int)code;
        if (_withOpt)
        {
            _writer.Limit = _limit;
            // The upper eight bits of a 12-bit RCODE travel in the OPT TTL (RFC 6891 §6.1.3).
            var written = _writer.TryWriteBytes([0])
                && _writer.TryWriteUInt16((ushort)DnsRecordType.Opt)
                && _writer.TryWriteUInt16(DnsResponder.MaxUdpPayloadSize)
                && _writer.TryWriteUInt32((uint)(rcode >> 4) << 24)
                && _writer.TryWriteUInt16(0);
            if (written)
            {
                _additional++;
            }
        }

        var flags = DnsHeader.ResponseFlagsFor(query.Flags, rcode & 0xF, authoritative, recursionAvailable);
        if (Truncated)
        {
            flags |= DnsHeader.TruncatedFlag;
        }

        new DnsHeader(query.Id, flags, 1, _answers, _authority, _additional).Write(_writer.Written);
        return _writer.Position;
    }

    private bool TryAdd(scoped ReadOnlySpan<char> owner, DnsRecord record, ref ushort count)
    {
        if (Truncated)
        {
            return false;
        }

        if (!record.TryWrite(ref _writer, owner))
        {
            Truncated = true;
            return false;
        }

        count++;
        return true;
    }
}
