using MeshNet.ControlPlane.Stats;
using static MeshNet.ControlPlane.Tests.Stats.CounterIncreaseTests;

namespace MeshNet.ControlPlane.Tests.Stats;

/// <summary>A window (now - window, now] is read from the scrapes inside it plus the newest one at or before its start.</summary>
public sealed class ScrapeHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(60, 30, 30, 60)]  // a scrape exactly at the window's start is its baseline
    [InlineData(62, 30, 30, 60)]  // between scrapes: the baseline is the last one before the start
    [InlineData(60, 5, 55, 60)]
    [InlineData(60, 600, 0, 60)]  // a window longer than the history: from the oldest scrape
    [InlineData(42, 10, 30, 40)]  // a window in the past ignores later scrapes
    public void Selects_TheBaselineAndTheScrapesInsideTheWindow(double now, double window, double first, double last)
    {
        var history = Every5sFrom(0, to: 60);

        var selected = history.Window(T0.AddSeconds(now), TimeSpan.FromSeconds(window));

        Assert.Equal(T0.AddSeconds(first), selected[0].At);
        Assert.Equal(T0.AddSeconds(last), selected[^1].At);
        Assert.Equal((int)((last - first) / 5) + 1, selected.Count);
    }

    [Fact]
    public void Selects_Nothing_WhenNoScrapeIsInsideTheWindow()
    {
        var history = Every5sFrom(0, to: 20);

        Assert.Empty(history.Window(T0.AddSeconds(60), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void UsesTheOldestScrapeInside_AsBaseline_ForASidecarFirstSeenInsideTheWindow()
    {
        var history = Every5sFrom(40, to: 60);

        var selected = history.Window(T0.AddSeconds(60), TimeSpan.FromSeconds(30));

        Assert.Equal(T0.AddSeconds(40), selected[0].At);
        Assert.Equal(5, selected.Count);
    }

    [Fact]
    public void Prunes_ScrapesOlderThanTheCutoff_AndSaysWhenNoneIsLeft()
    {
        var history = Every5sFrom(0, to: 20);

        Assert.True(history.Prune(T0.AddSeconds(12)));
        Assert.Equal(T0.AddSeconds(15), history.Window(T0.AddSeconds(20), TimeSpan.FromMinutes(1))[0].At);
        Assert.False(history.Prune(T0.AddSeconds(21)));
    }

    [Fact]
    public void Replaces_ScrapesThatAreNotOlder_WhenTheClockGoesBack()
    {
        var history = Every5sFrom(0, to: 20);

        history.Add(At(10, (Series("200"), 1)));

        var selected = history.Window(T0.AddSeconds(30), TimeSpan.FromMinutes(1));
        Assert.Equal([T0, T0.AddSeconds(5), T0.AddSeconds(10)], selected.Select(s => s.At));
    }

    [Fact]
    public void Shares_OneLabelSetPerSeries_AcrossScrapes()
    {
        var history = new ScrapeHistory();
        const string Text = "meshnet_requests_total{direction=\"outbound\",code=\"200\"} 1\n";

        history.Add(T0, PrometheusTextParser.Parse(Text));
        history.Add(T0.AddSeconds(5), PrometheusTextParser.Parse(Text.Replace("} 1", "} 2", StringComparison.Ordinal)));

        var scrapes = history.Window(T0.AddSeconds(5), TimeSpan.FromMinutes(1));
        Assert.Same(scrapes[0].Series.Keys.Single().Labels, scrapes[1].Series.Keys.Single().Labels);
        Assert.Equal([1.0, 2.0], scrapes.Select(s => s.Series.Values.Single()));
    }

    private static ScrapeHistory Every5sFrom(int from, int to)
    {
        var history = new ScrapeHistory();
        for (var t = from; t <= to; t += 5)
        {
            history.Add(At(t, (Series("200"), t)));
        }

        return history;
    }
}
