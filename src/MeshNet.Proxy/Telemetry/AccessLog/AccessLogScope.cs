using Microsoft.AspNetCore.Http;

namespace MeshNet.Proxy.Telemetry.AccessLog;

/// <summary>
/// Counts one request's body bytes in and out for its access log line, by wrapping the request and response body
/// streams. Only set up while the access log is on, so a sidecar without it pays nothing.
/// </summary>
internal sealed class AccessLogScope
{
    private readonly ByteCount _in = new();
    private readonly ByteCount _out = new();

    public long BytesIn => _in.Value;

    public long BytesOut => _out.Value;

    public static void Begin(HttpContext context)
    {
        var scope = new AccessLogScope();
        // The wrappers do not own the bodies: the server still completes and disposes its own streams.
        context.Request.Body = new CountingStream(context.Request.Body, scope._in);
        context.Response.Body = new CountingStream(context.Response.Body, scope._out);
        context.Features.Set(scope);
    }

    public static AccessLogScope? Of(HttpContext context) => context.Features.Get<AccessLogScope>();
}

internal sealed class ByteCount
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    public void Add(long bytes) => Interlocked.Add(ref _value, bytes);
}

/// <summary>A pass-through stream that counts the bytes read from or written to it.</summary>
internal sealed class CountingStream(Stream inner, ByteCount counted) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        counted.Add(count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        counted.Add(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int Counted(int read)
    {
        counted.Add(read);
        return read;
    }
}
