using MeshNet.ControlPlane.Stats;

namespace MeshNet.ControlPlane.Tests.Stats;

/// <summary>Expected values are worked by hand the way Prometheus' histogram_quantile does it.</summary>
public sealed class HistogramQuantileTests
{
    private static readonly Dictionary<double, double> TenAndTen = new()
    {
        [0.1] = 10,
        [0.2] = 20,
        [double.PositiveInfinity] = 20,
    };

    [Theory]
    [InlineData(0.5, 0.1)]
    [InlineData(0.75, 0.15)]
    [InlineData(0.99, 0.198)]
    [InlineData(0.25, 0.05)]
    [InlineData(0, 0)]
    [InlineData(1, 0.2)]
    public void Interpolates_LinearlyWithinTheBucketHoldingTheRank(double q, double expected)
    {
        Assert.Equal(expected, HistogramQuantile.Compute(q, TenAndTen), 9);
    }

    [Fact]
    public void Answers_TheHighestFiniteBound_WhenTheRankFallsInTheInfBucket()
    {
        var buckets = new Dictionary<double, double> { [0.1] = 10, [0.25] = 12, [double.PositiveInfinity] = 20 };

        Assert.Equal(0.25, HistogramQuantile.Compute(0.9, buckets));
    }

    [Fact]
    public void Starts_TheLowestBucketAtZero()
    {
        var buckets = new Dictionary<double, double> { [0.1] = 4, [double.PositiveInfinity] = 4 };

        Assert.Equal(0.05, HistogramQuantile.Compute(0.5, buckets), 9);
    }

    [Fact]
    public void Interpolates_FromTheBoundBelow_WhenLowerBucketsAreEmpty()
    {
        var buckets = new Dictionary<double, double>
        {
            [0.0005] = 0,
            [0.001] = 0,
            [0.0025] = 4,
            [double.PositiveInfinity] = 4,
        };

        // Every observation is in (0.001, 0.0025]: the median is halfway through that bucket.
        Assert.Equal(0.00175, HistogramQuantile.Compute(0.5, buckets), 9);
    }

    [Fact]
    public void EvensOut_BucketsThatAreNotMonotonic()
    {
        var buckets = new Dictionary<double, double> { [0.1] = 10, [0.2] = 9, [0.4] = 20, [double.PositiveInfinity] = 20 };

        Assert.Equal(0.1, HistogramQuantile.Compute(0.5, buckets), 9);
        Assert.Equal(0.3, HistogramQuantile.Compute(0.75, buckets), 9);
    }

    [Fact]
    public void IsNaN_WithoutObservationsOrWithoutAnInfBucket()
    {
        Assert.True(double.IsNaN(HistogramQuantile.Compute(0.5, new Dictionary<double, double> { [0.1] = 0, [double.PositiveInfinity] = 0 })));
        Assert.True(double.IsNaN(HistogramQuantile.Compute(0.5, new Dictionary<double, double> { [0.1] = 3, [0.2] = 5 })));
        Assert.True(double.IsNaN(HistogramQuantile.Compute(0.5, new Dictionary<double, double>())));
    }

    [Theory]
    [InlineData("0.005", 0.005)]
    [InlineData("+Inf", double.PositiveInfinity)]
    [InlineData("1e-3", 0.001)]
    [InlineData("10", 10)]
    public void ParsesBounds(string le, double expected)
    {
        Assert.Equal(expected, HistogramQuantile.ParseBound(le));
    }

    [Fact]
    public void RefusesABound_ThatIsNotANumber()
    {
        Assert.Null(HistogramQuantile.ParseBound("fast"));
        Assert.Null(HistogramQuantile.ParseBound("NaN"));
    }
}
