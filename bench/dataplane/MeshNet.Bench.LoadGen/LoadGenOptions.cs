using System.Globalization;

namespace MeshNet.Bench.LoadGen;

/// <summary>Command line of the open-loop generator.</summary>
internal sealed record LoadGenOptions(
    Uri Target,
    string Host,
    double Rate,
    TimeSpan Warmup,
    TimeSpan Duration,
    int Connections,
    TimeSpan DrainTimeout)
{
    public static LoadGenOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
            values[args[i][2..]] = args[i + 1];
        }

        if (!values.TryGetValue("url", out var url))
        {
            throw new ArgumentException(
                "usage: meshnet-bench-loadgen --url http://IP:PORT/path [--host HOST] --rate RPS " +
                "[--duration-s 10] [--warmup-s 2] [--connections 64] [--drain-s 5]");
        }

        var target = new Uri(url);
        return new LoadGenOptions(
            target,
            values.GetValueOrDefault("host") ?? target.Authority,
            Number(values, "rate", 1000),
            TimeSpan.FromSeconds(Number(values, "warmup-s", 2)),
            TimeSpan.FromSeconds(Number(values, "duration-s", 10)),
            (int)Number(values, "connections", 64),
            TimeSpan.FromSeconds(Number(values, "drain-s", 5)));
    }

    private static double Number(Dictionary<string, string> values, string name, double fallback) =>
        values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
