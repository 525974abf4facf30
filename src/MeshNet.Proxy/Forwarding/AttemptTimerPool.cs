using Microsoft.Extensions.ObjectPool;

namespace MeshNet.Proxy.Forwarding;

/// <summary>
/// Cancellation sources for per-try and request timeouts, reused across attempts. A new timed source costs two
/// objects and a timer-queue insertion, and its disposal another timer-queue operation; a reused one only moves its
/// timer. <see cref="CancellationTokenSource.TryReset"/> refuses a source whose timer ever fired (or is firing), so a
/// source back in the pool can never be cancelled late under its next attempt; refused ones are disposed.
/// </summary>
/// <remarks>
/// Only for <see cref="TimeProvider.System"/>: there a fresh source and a reused one both round the delay down to
/// whole milliseconds, so the timeouts are the same. Another provider (tests' fake clocks) keeps exact delays with
/// a fresh source per attempt.
/// </remarks>
internal sealed class AttemptTimerPool
{
    private readonly TimeProvider _time;
    private readonly ObjectPool<CancellationTokenSource>? _pool;

    public AttemptTimerPool(TimeProvider time)
    {
        _time = time;
        if (ReferenceEquals(time, TimeProvider.System))
        {
            // Retained sources: about the attempts in flight at once on a busy sidecar; more are created as needed.
            _pool = new DefaultObjectPool<CancellationTokenSource>(new ResetPolicy(), Environment.ProcessorCount * 64);
        }
    }

    /// <summary>A source that cancels after <paramref name="delay"/>; give it back with <see cref="Return"/>.</summary>
    public CancellationTokenSource Rent(TimeSpan delay)
    {
        if (_pool is null)
        {
            return new CancellationTokenSource(delay, _time);
        }

        var source = _pool.Get();
        source.CancelAfter(delay);
        return source;
    }

    public void Return(CancellationTokenSource source)
    {
        if (_pool is null)
        {
            source.Dispose();
            return;
        }

        _pool.Return(source);
    }

    private sealed class ResetPolicy : IPooledObjectPolicy<CancellationTokenSource>
    {
        public CancellationTokenSource Create() => new();

        public bool Return(CancellationTokenSource obj)
        {
            if (obj.TryReset())
            {
                return true;
            }

            obj.Dispose();
            return false;
        }
    }
}
