using System.Buffers;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Tells HTTP (an HTTP/1.x method token and a space, or the HTTP/2 preface's "PRI ") from other first bytes; the
/// waiting and the TLS case are <see cref="InboundSniffer"/>'s.
/// </summary>
internal static class HttpSniffer
{
    private static readonly byte[][] Methods =
        [.. new[] { "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "PRI " }.Select(m => System.Text.Encoding.ASCII.GetBytes(m))];

    private const int LongestMethod = 8;

    /// <summary>True or false once decidable, null while the bytes so far are a prefix of some method token.</summary>
    internal static bool? Classify(ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[LongestMethod];
        var length = (int)Math.Min(buffer.Length, LongestMethod);
        buffer.Slice(0, length).CopyTo(head);
        var seen = head[..length];
        var undecided = false;
        foreach (var method in Methods)
        {
            if (seen.Length >= method.Length)
            {
                if (seen[..method.Length].SequenceEqual(method))
                {
                    return true;
                }
            }
            else if (method.AsSpan(0, seen.Length).SequenceEqual(seen))
            {
                undecided = true;
            }
        }

        return undecided ? null : false;
    }
}
