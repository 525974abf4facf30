namespace MeshNet.Proxy.Interception;

/// <summary>
/// Copies two byte streams into each other until both directions ended. One side's end of data becomes the other
/// side's half-close (<see cref="Side.EndWritesAsync"/>: a FIN, or a TLS close_notify), so request-then-half-close
/// protocols work through TLS as they do in plain passthrough. An error in either direction ends both.
/// </summary>
internal static class StreamRelay
{
    private const int Chunk = 16 * 1024;

    /// <summary>One end of the relay: its stream and how to tell its peer that no more bytes follow.</summary>
    internal sealed record Side(Stream Stream, Func<Task> EndWritesAsync);

    /// <returns>True when both directions ended cleanly; false after an error (the caller aborts both connections).</returns>
    public static async Task<bool> RunAsync(Side a, Side b)
    {
        using var failed = new CancellationTokenSource();
        var forward = CopyAsync(a.Stream, b, failed);
        var backward = CopyAsync(b.Stream, a, failed);
        await Task.WhenAll(forward, backward).ConfigureAwait(false);
        return !failed.IsCancellationRequested;
    }

    private static async Task CopyAsync(Stream from, Side to, CancellationTokenSource failed)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer.AsMemory(0, Chunk), failed.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                await to.Stream.WriteAsync(buffer.AsMemory(0, read), failed.Token).ConfigureAwait(false);
            }

            await to.EndWritesAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
