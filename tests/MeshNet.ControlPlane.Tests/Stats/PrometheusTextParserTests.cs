using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using MeshNet.ControlPlane.Stats;

namespace MeshNet.ControlPlane.Tests.Stats;

public sealed class PrometheusTextParserTests
{
    [Fact]
    public void Parses_ASidecarScrape_WithEscapesTimestampsSpecialValuesAndExemplars()
    {
        var samples = PrometheusTextParser.Parse(File.ReadAllText(TestData("sidecar-scrape.prom")));

        var actual = string.Concat(samples.Select(s => Format(s) + "\n"));
        Assert.Equal(File.ReadAllText(TestData("sidecar-scrape.parsed.txt")).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void Keeps_OnlyTheSamplesTheFilterAccepts()
    {
        var samples = PrometheusTextParser.Parse(File.ReadAllText(TestData("sidecar-scrape.prom")), SidecarMetricNames.IsKept);

        Assert.Equal(6, samples.Count);
        Assert.All(samples, s => Assert.Equal("outbound", s.Labels["direction"]));
        Assert.Equal(3, samples.Count(s => s.Name == SidecarMetricNames.Requests));
        Assert.Equal(3, samples.Count(s => s.Name == SidecarMetricNames.DurationBucket));
    }

    [Fact]
    public void TreatsAnEmptyLabelValue_AsAnAbsentLabel()
    {
        var samples = PrometheusTextParser.Parse("m{a=\"x\",b=\"\"} 1\nm{a=\"x\"} 2\n");

        Assert.Equal(samples[0].Labels, samples[1].Labels);
        Assert.Equal(samples[0].Labels.GetHashCode(), samples[1].Labels.GetHashCode());
    }

    [Theory]
    [InlineData("m{a=\"b\"", "line 1: expected ',' or '}' at column 8")]
    [InlineData("m{a=\"b} 1", "line 1: unterminated label value")]
    [InlineData("m{a} 1", "line 1: expected '=' at column 4")]
    [InlineData("m{a=b} 1", "line 1: expected '\"' at column 5")]
    [InlineData("m{a=\"\\x\"} 1", "line 1: invalid escape \"\\x\" in a label value")]
    [InlineData("m{a=\"1\",a=\"2\"} 1", "line 1: label \"a\" given twice")]
    [InlineData("m", "line 1: missing value")]
    [InlineData("m abc", "line 1: invalid value \"abc\"")]
    [InlineData("m 1 later", "line 1: invalid timestamp \"later\"")]
    [InlineData("m 1 2 3", "line 1: unexpected \"3\" after the value")]
    [InlineData("{a=\"b\"} 1", "line 1: expected a metric name")]
    [InlineData("# TYPE m counter\nm 1\nm{", "line 3: unterminated label set")]
    public void Rejects_AMalformedLine_NamingIt(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => PrometheusTextParser.Parse(text));

        Assert.Equal(message, error.Message);
    }

    private static string Format(MetricSample sample)
    {
        var text = new StringBuilder(sample.Name).Append('{');
        text.AppendJoin(',', sample.Labels.Pairs.Select(p => $"{p.Key}=\"{Escape(p.Value)}\""));
        text.Append("} ").Append(sample.Value switch
        {
            double.PositiveInfinity => "+Inf",
            double.NegativeInfinity => "-Inf",
            var v when double.IsNaN(v) => "NaN",
            var v => v.ToString("R", CultureInfo.InvariantCulture),
        });
        return text.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string TestData(string name, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "testdata", name);
}
