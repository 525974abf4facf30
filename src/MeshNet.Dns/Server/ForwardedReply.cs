using System.Buffers.Binary;
using MeshNet.Dns.Wire;

namespace MeshNet.Dns.Server;

/// <summary>Decides what the client gets for a forwarded query: the upstream reply, or our own minimal reply patched.</summary>
internal static class ForwardedReply
{
    /// <summary>
    /// Returns <paramref name="upstream"/> when it is a reply to this query that fits <paramref name="sizeLimit"/>.
    /// Otherwise patches <paramref name="minimal"/> (the responder's header-and-question reply) in place: TC with the
    /// upstream's flags when the reply is too big for UDP, so the client retries over TCP, or SERVFAIL.
    /// </summary>
    public static ReadOnlyMemory<byte> Choose(ReadOnlyMemory<byte> upstream, ushort queryId, Memory<byte> minimal, int sizeLimit)
    {
        var span = minimal.Span;
        if (!DnsHeader.TryRead(upstream.Span, out var header) || header.Id != queryId || !header.IsResponse)
        {
            var flags = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
            flags = (ushort)((flags & ~(0xF | DnsHeader.AuthoritativeFlag)) | (int)DnsResponseCode.ServerFailure);
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], flags);
            return minimal;
        }

        if (upstream.Length > sizeLimit)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)(header.Flags | DnsHeader.TruncatedFlag));
            return minimal;
        }

        return upstream;
    }
}
