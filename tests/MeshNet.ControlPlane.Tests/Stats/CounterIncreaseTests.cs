using MeshNet.ControlPlane.Stats;

namespace MeshNet.ControlPlane.Tests.Stats;

public sealed class CounterIncreaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly SeriesId Ok = Series("200");
    private static readonly SeriesId Failed = Series("503");

    [Fact]
    public void Sums_GrowthBetweenScrapes()
    {
        var increase = CounterIncrease.Over([At(0, (Ok, 10)), At(5, (Ok, 15)), At(10, (Ok, 40))]);

        Assert.Equal(30, increase.Increases[Ok]);
        Assert.Equal(TimeSpan.FromSeconds(10), increase.Span);
    }

    [Fact]
    public void CountsTheNewValue_AfterACounterReset()
    {
        // 10 → 15: +5; restart, 15 → 3: +3 (everything since the restart); 3 → 8: +5.
        var increase = CounterIncrease.Over([At(0, (Ok, 10)), At(5, (Ok, 15)), At(10, (Ok, 3)), At(15, (Ok, 8))]);

        Assert.Equal(13, increase.Increases[Ok]);
    }

    [Fact]
    public void CountsASeriesCreatedAfterTheBaseline_FromZero()
    {
        var increase = CounterIncrease.Over([At(0, (Ok, 100)), At(5, (Ok, 100), (Failed, 4))]);

        Assert.Equal(0, increase.Increases[Ok]);
        Assert.Equal(4, increase.Increases[Failed]);
    }

    [Fact]
    public void CountsASeriesThatVanishedWithARestart_FromZeroWhenItReturns()
    {
        var increase = CounterIncrease.Over([At(0, (Failed, 7)), At(5, (Ok, 1)), At(10, (Ok, 2), (Failed, 2))]);

        Assert.Equal(2, increase.Increases[Failed]);
        Assert.Equal(2, increase.Increases[Ok]);
    }

    [Fact]
    public void IsNothing_WithFewerThanTwoScrapes()
    {
        var increase = CounterIncrease.Over([At(0, (Ok, 10))]);

        Assert.Equal(TimeSpan.Zero, increase.Span);
        Assert.Empty(increase.Increases);
    }

    internal static SeriesId Series(string code) =>
        new(SidecarMetricNames.Requests, LabelSet.From([new("direction", "outbound"), new("code", code)]));

    internal static Scrape At(double seconds, params (SeriesId Id, double Value)[] series) =>
        new(T0.AddSeconds(seconds), series.ToDictionary(s => s.Id, s => s.Value));
}
