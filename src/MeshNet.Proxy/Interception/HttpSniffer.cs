using System.Buffers;
using System.IO.Pipelines;

namespace MeshNet.Proxy.Interception;

/// <summary>
/// Tells whether a redirected inbound connection speaks HTTP (an HTTP/1.x method token and a space, or the
/// HTTP/2 preface's "PRI ") from its first bytes, consuming none. Anything else, including a client that waits
/// for the server to speak first, is piped to the app unparsed.
/// </summary>
internal static class HttpSniffer
{
    // Long enough for a client-first client on a loaded node to send its first segment; a server-first protocol
    // (SMTP, MySQL) pays it once per connection before the app's greeting.
    private static readonly TimeSpan SniffTimeout = TimeSpan.FromMilliseconds(500);

    private static readonly byte[][] Methods =
        [.. new[] { "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ", "PRI " }.Select(m => System.Text.Encoding.ASCII.GetBytes(m))];

    private const int LongestMethod = 8;

    public static async Task<bool> IsHttpAsync(PipeReader input, CancellationToken connectionClosed)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        timeout.CancelAfter(SniffTimeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var verdict = Classify(result.Buffer);
                input.AdvanceTo(result.Buffer.Start, verdict is null ? result.Buffer.End : result.Buffer.Start);
                if (verdict is { } decided)
                {
                    return decided;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return false;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

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
