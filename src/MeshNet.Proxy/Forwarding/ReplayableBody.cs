using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// Makes a request body sendable more than once where that is safe: no body at all; a body with a Content-Length
/// within max_replay_body_bytes, read into memory before the first attempt and rewound for each retry; or any
/// other body (too big, or streamed without a length, as gRPC is) as long as no attempt has read a byte of it,
/// which covers refused connections. A streamed body is never buffered: a client-streaming call may wait for the
/// server before it ends its body.
/// </summary>
internal sealed class ReplayableBody
{
    private static readonly ReplayableBody None = new(null, null);

    private readonly MemoryStream? _buffered;
    private readonly ReadTrackingStream? _tracked;

    private ReplayableBody(MemoryStream? buffered, ReadTrackingStream? tracked)
    {
        _buffered = buffered;
        _tracked = tracked;
    }

    /// <summary>Whether the next attempt can send the whole body again.</summary>
    public bool CanReplay => _tracked is null || !_tracked.Touched;

    public static async ValueTask<ReplayableBody> PrepareAsync(HttpContext context, long maxBufferedBytes, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return None;
        }

        if (request.ContentLength is { } length && length <= Math.Min(maxBufferedBytes, Array.MaxLength))
        {
            var bytes = new byte[length];
            await request.Body.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            var buffered = new MemoryStream(bytes, writable: false);
            request.Body = buffered;
            return new ReplayableBody(buffered, null);
        }

        var tracked = new ReadTrackingStream(request.Body);
        request.Body = tracked;
        return new ReplayableBody(null, tracked);
    }

    /// <summary>Puts the body back at its start for the next attempt.</summary>
    public void Rewind()
    {
        if (_buffered is not null)
        {
            _buffered.Position = 0;
        }
    }

    /// <summary>A pass-through request body that remembers whether anyone started reading it.</summary>
    private sealed class ReadTrackingStream(Stream inner) : Stream
    {
        private volatile bool _touched;

        public bool Touched => _touched;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            _touched = true;
            return inner.Read(buffer, offset, count);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _touched = true;
            return inner.ReadAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _touched = true;
            return inner.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
