using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Prometheus;

namespace MeshNet.Proxy.Telemetry.Metrics;

/// <summary>A connection's transport with its bytes counted into two counters as they pass.</summary>
internal sealed class CountingDuplexPipe(IDuplexPipe inner, Counter.Child received, Counter.Child sent) : IDuplexPipe
{
    public PipeReader Input { get; } = new CountingPipeReader(inner.Input, received);

    public PipeWriter Output { get; } = new CountingPipeWriter(inner.Output, sent);
}

/// <summary>
/// Counts each byte once, when a read first returns it: the reader hands back unconsumed bytes again on the next
/// read, so what was left after the last <see cref="AdvanceTo(SequencePosition)"/> is subtracted.
/// </summary>
internal sealed class CountingPipeReader(PipeReader inner, Counter.Child received) : PipeReader
{
    private ReadOnlySequence<byte> _last;
    private long _unconsumed;

    public override void AdvanceTo(SequencePosition consumed)
    {
        _unconsumed = _last.Slice(consumed).Length;
        inner.AdvanceTo(consumed);
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _unconsumed = _last.Slice(consumed).Length;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var pending = inner.ReadAsync(cancellationToken);
        return pending.IsCompletedSuccessfully ? ValueTask.FromResult(Counted(pending.Result)) : ReadSlowAsync(pending);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        result = Counted(result);
        return true;
    }

    // Pooled: a read that waits for the network is the common case, and must not allocate a state machine each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadSlowAsync(ValueTask<ReadResult> pending) => Counted(await pending.ConfigureAwait(false));

    private ReadResult Counted(ReadResult result)
    {
        _last = result.Buffer;
        var fresh = result.Buffer.Length - _unconsumed;
        if (fresh > 0)
        {
            received.Inc(fresh);
            _unconsumed = result.Buffer.Length;
        }

        return result;
    }
}

internal sealed class CountingPipeWriter(PipeWriter inner, Counter.Child sent) : PipeWriter
{
    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override void Advance(int bytes)
    {
        inner.Advance(bytes);
        if (bytes > 0)
        {
            sent.Inc(bytes);
        }
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (!source.IsEmpty)
        {
            sent.Inc(source.Length);
        }

        return inner.WriteAsync(source, cancellationToken);
    }
}
