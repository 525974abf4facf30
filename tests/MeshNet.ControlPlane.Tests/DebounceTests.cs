using System.Threading.Channels;
using MeshNet.ControlPlane.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static MeshNet.ControlPlane.Tests.TestResources;

namespace MeshNet.ControlPlane.Tests;

public sealed class DebouncePolicyTests
{
    private static readonly DebounceOptions Options = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData(0, 0, 100)]      // just changed: wait out the quiet period
    [InlineData(60, 20, 80)]     // a later change restarts the quiet period
    [InlineData(150, 100, 0)]    // quiet long enough
    [InlineData(950, 10, 50)]    // the max delay comes first
    [InlineData(1000, 0, 0)]     // max delay reached while changes keep coming
    [InlineData(1500, 0, 0)]
    public void Waits_UntilQuietOrMaxDelay(int sinceFirstMs, int sinceLastMs, int expectedMs)
    {
        var wait = DebouncePolicy.RemainingWait(
            TimeSpan.FromMilliseconds(sinceFirstMs), TimeSpan.FromMilliseconds(sinceLastMs), Options);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), wait);
    }
}

public sealed class MeshUpdateLoopTests
{
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();
    private readonly RecordingTimeProvider _time;
    private readonly MeshChangeTracker _tracker;
    private readonly MeshUpdateLoop _loop;
    private readonly List<int> _flushedBatchSizes = [];

    public MeshUpdateLoopTests()
    {
        _time = new RecordingTimeProvider(_events.Writer);
        _tracker = new MeshChangeTracker(_time);
        var pipeline = new RecordingPipeline(_tracker, _events.Writer, _flushedBatchSizes);
        _loop = new MeshUpdateLoop(
            _tracker, pipeline, new DebounceOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)), _time,
            NullLogger<MeshUpdateLoop>.Instance);
    }

    [Fact]
    public async Task Merges_ABurst_IntoOneFlush_AfterTheQuietPeriod()
    {
        await _loop.StartAsync(CancellationToken.None);
        try
        {
            _tracker.Upsert(Service("blog", "a"));
            Assert.Equal("timer 100", await NextEventAsync());

            _time.Advance(TimeSpan.FromMilliseconds(60));
            _tracker.Upsert(Service("blog", "b"));
            _time.Advance(TimeSpan.FromMilliseconds(40));

            // The first timer fired at 100 ms, but the second change restarted the quiet period.
            Assert.Equal("timer 60", await NextEventAsync());
            _time.Advance(TimeSpan.FromMilliseconds(60));

            Assert.Equal("flush", await NextEventAsync());
            Assert.Equal([2], _flushedBatchSizes);
        }
        finally
        {
            await _loop.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Flushes_AtTheMaxDelay_WhenChangesNeverStop()
    {
        await _loop.StartAsync(CancellationToken.None);
        try
        {
            var start = _time.GetUtcNow();
            var step = 0;
            _tracker.Upsert(Service("blog", "s0"));
            while (await NextEventAsync() is var e && e != "flush")
            {
                // Change again 10 ms before every timer fires, so the mesh is never quiet for 100 ms.
                var due = TimeSpan.FromMilliseconds(int.Parse(e["timer ".Length..], System.Globalization.CultureInfo.InvariantCulture));
                var early = due > TimeSpan.FromMilliseconds(10) ? due - TimeSpan.FromMilliseconds(10) : TimeSpan.Zero;
                _time.Advance(early);
                _tracker.Upsert(Service("blog", $"s{++step}"));
                _time.Advance(due - early);
            }

            Assert.Equal(TimeSpan.FromSeconds(1), _time.GetUtcNow() - start);
            Assert.Single(_flushedBatchSizes);
            Assert.True(_flushedBatchSizes[0] > 5);
        }
        finally
        {
            await _loop.StopAsync(CancellationToken.None);
        }
    }

    private async Task<string> NextEventAsync()
    {
        // A generous guard so a broken loop fails the test instead of hanging it; never a condition wait.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _events.Reader.ReadAsync(guard.Token);
    }

    /// <summary>Reports every timer the loop creates, so the test knows the loop is waiting before it moves time.</summary>
    private sealed class RecordingTimeProvider(ChannelWriter<string> events) : FakeTimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            events.TryWrite($"timer {dueTime.TotalMilliseconds}");
            return timer;
        }
    }

    private sealed class RecordingPipeline(MeshChangeTracker tracker, ChannelWriter<string> events, List<int> sizes) : IMeshUpdatePipeline
    {
        public bool Flush()
        {
            sizes.Add(tracker.TakeBatch().Changes.Length);
            events.TryWrite("flush");
            return true;
        }
    }
}
