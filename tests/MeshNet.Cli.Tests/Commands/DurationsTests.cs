using MeshNet.Cli.Commands;

namespace MeshNet.Cli.Tests.Commands;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("20s", 20_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5m", 90_000)]
    [InlineData("1h", 3_600_000)]
    public void Parses_NumberWithUnit(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("20")]
    [InlineData("s")]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("10 parsecs")]
    public void Rejects_WhatIsNotAPositiveDuration(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }
}
