using System.Globalization;
using System.Text;

namespace MeshNet.ControlPlane.Stats;

/// <summary>
/// Reads the Prometheus text exposition format 0.0.4 (and the sample lines of OpenMetrics 1.0, which share its
/// syntax): `name{label="value",...} value [timestamp]`, with `\\`, `\"` and `\n` escapes in label values and
/// NaN/+Inf/-Inf values. Comments (HELP, TYPE, # EOF) carry nothing the aggregator needs and are skipped; so are
/// timestamps and OpenMetrics exemplars. As Prometheus does, one malformed line rejects the whole scrape.
/// </summary>
internal static class PrometheusTextParser
{
    /// <exception cref="FormatException">Naming the line and what was wrong with it.</exception>
    public static List<MetricSample> Parse(string text) => Parse(text, static (_, _) => true);

    /// <param name="keep">
    /// Decides by metric name and labels whether a sample is returned; the labels are parsed anyway, so a
    /// malformed line is still an error.
    /// </param>
    /// <exception cref="FormatException">Naming the line and what was wrong with it.</exception>
    public static List<MetricSample> Parse(string text, Func<string, LabelSet, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(keep);
        var samples = new List<MetricSample>();
        var lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.TrimStart(" \t");
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            try
            {
                var sample = ParseSample(line);
                if (keep(sample.Name, sample.Labels))
                {
                    samples.Add(sample);
                }
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {lineNumber}: {e.Message}", e);
            }
        }

        return samples;
    }

    private static MetricSample ParseSample(ReadOnlySpan<char> line)
    {
        var position = 0;
        var name = ReadName(line, ref position, metric: true);
        if (name.Length == 0)
        {
            throw new FormatException("expected a metric name");
        }

        SkipBlanks(line, ref position);
        var labels = LabelSet.Empty;
        if (position < line.Length && line[position] == '{')
        {
            position++;
            labels = ReadLabels(line, ref position);
            SkipBlanks(line, ref position);
        }

        var valueStart = position;
        while (position < line.Length && line[position] is not (' ' or '\t'))
        {
            position++;
        }

        var value = ParseValue(line[valueStart..position]);
        SkipBlanks(line, ref position);
        if (position < line.Length && line[position] != '#')
        {
            // An optional timestamp (milliseconds); an OpenMetrics one may have a fraction. Only validated.
            var timestampStart = position;
            while (position < line.Length && line[position] is not (' ' or '\t'))
            {
                position++;
            }

            if (!double.TryParse(line[timestampStart..position], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                throw new FormatException($"invalid timestamp \"{line[timestampStart..position]}\"");
            }

            SkipBlanks(line, ref position);
            if (position < line.Length && line[position] != '#')
            {
                throw new FormatException($"unexpected \"{line[position..]}\" after the value");
            }
        }

        return new MetricSample(name, labels, value);
    }

    private static LabelSet ReadLabels(ReadOnlySpan<char> line, ref int position)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        while (true)
        {
            SkipBlanks(line, ref position);
            if (position >= line.Length)
            {
                throw new FormatException("unterminated label set");
            }

            if (line[position] == '}')
            {
                position++;
                break;
            }

            var labelName = ReadName(line, ref position, metric: false);
            if (labelName.Length == 0)
            {
                throw new FormatException($"expected a label name at column {position + 1}");
            }

            SkipBlanks(line, ref position);
            Expect(line, ref position, '=');
            SkipBlanks(line, ref position);
            Expect(line, ref position, '"');
            pairs.Add(new(labelName, ReadLabelValue(line, ref position)));
            SkipBlanks(line, ref position);
            if (position < line.Length && line[position] == ',')
            {
                // A trailing comma before '}' is allowed by the format.
                position++;
            }
            else if (position >= line.Length || line[position] != '}')
            {
                throw new FormatException($"expected ',' or '}}' at column {position + 1}");
            }
        }

        try
        {
            return LabelSet.From(pairs);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message.Split(" (Parameter", 2)[0], e);
        }
    }

    private static string ReadLabelValue(ReadOnlySpan<char> line, ref int position)
    {
        var value = new StringBuilder();
        while (position < line.Length)
        {
            var c = line[position++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (position >= line.Length)
            {
                break;
            }

            value.Append(line[position++] switch
            {
                '\\' => '\\',
                '"' => '"',
                'n' => '\n',
                var other => throw new FormatException($"invalid escape \"\\{other}\" in a label value"),
            });
        }

        throw new FormatException("unterminated label value");
    }

    private static string ReadName(ReadOnlySpan<char> line, ref int position, bool metric)
    {
        var start = position;
        while (position < line.Length && IsNameChar(line[position], position == start, metric))
        {
            position++;
        }

        return line[start..position].ToString();
    }

    private static bool IsNameChar(char c, bool first, bool metric) =>
        char.IsAsciiLetter(c) || c == '_' || (metric && c == ':') || (!first && char.IsAsciiDigit(c));

    private static double ParseValue(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            throw new FormatException("missing value");
        }

        // Go's strconv.ParseFloat spellings, which Prometheus clients write.
        if (text.Equals("+Inf", StringComparison.OrdinalIgnoreCase) || text.Equals("Inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }

        if (text.Equals("-Inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.NegativeInfinity;
        }

        if (text.Equals("NaN", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"invalid value \"{text}\"");
    }

    private static void Expect(ReadOnlySpan<char> line, ref int position, char expected)
    {
        if (position >= line.Length || line[position] != expected)
        {
            throw new FormatException($"expected '{expected}' at column {position + 1}");
        }

        position++;
    }

    private static void SkipBlanks(ReadOnlySpan<char> line, ref int position)
    {
        while (position < line.Length && line[position] is ' ' or '\t')
        {
            position++;
        }
    }
}
