using MeshNet.ControlPlane.Hosting;
using MeshNet.ControlPlane.Stats;

namespace MeshNet.ControlPlane.Tests.Stats;

public sealed class StatsOptionsTests
{
    [Fact]
    public void Scrapes_Every5s_For15Minutes_ByDefault()
    {
        var options = ControlPlaneOptions.Parse([]);

        Assert.Equal(TimeSpan.FromSeconds(5), options.Stats.Interval);
        Assert.Equal(TimeSpan.FromMinutes(15), options.Stats.Retention);
    }

    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("250ms", 250)]
    [InlineData("0s", 0)]
    public void Takes_TheStatsInterval_FromTheCommandLine(string value, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ControlPlaneOptions.Parse(["--stats-interval", value]).Stats.Interval);
    }

    [Fact]
    public void Rejects_AStatsIntervalWithoutUnit()
    {
        var error = Assert.Throws<FormatException>(() => ControlPlaneOptions.Parse(["--stats-interval", "5"]));

        Assert.Equal("--stats-interval: expected a duration with a unit (ms, s, m), got \"5\"", error.Message);
    }

    [Theory]
    [InlineData(null, 30_000)]
    [InlineData("", 30_000)]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("15m", 900_000)]
    public void Reads_TheQueryWindow(string? text, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), StatsEndpoints.ParseWindow(text, StatsOptions.Default));
    }
}
