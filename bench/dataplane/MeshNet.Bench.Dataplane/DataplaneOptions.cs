using System.Globalization;

namespace MeshNet.Bench.Dataplane;

/// <summary>Knobs of one data-plane run; defaults are what bench/run-dataplane.sh uses.</summary>
internal sealed record DataplaneOptions
{
    public int Rounds { get; init; } = 5;

    public double DurationS { get; init; } = 10;

    public double WarmupS { get; init; } = 2;

    public IReadOnlyList<int> Connections { get; init; } = [16, 128];

    public IReadOnlyList<int> Rates { get; init; } = [1000, 5000];

    public int H2Rate { get; init; } = 1000;

    public IReadOnlyList<string> Topologies { get; init; } = ["direct", "meshnet", "haproxy", "yarp"];

    public bool Pin { get; init; } = true;

    // Two cores: the load generator and the backend (not under test) share core 0, and both hops of every proxied
    // topology share core 1, so each proxy pair gets the same single core whichever topology is measured.
    public string LoadGenCpus { get; init; } = "0";

    public string BackendCpus { get; init; } = "0";

    public string ProxyCpus { get; init; } = "1";

    public bool SkipH2 { get; init; }

    public string OutputDirectory { get; init; } = "bench/results";

    public string? Label { get; init; }

    /// <summary>Extra environment for both meshnet sidecars (experiments such as runtime or logging settings).</summary>
    public IReadOnlyDictionary<string, string> MeshNetEnvironment { get; init; } = new Dictionary<string, string>();

    public static DataplaneOptions Parse(string[] args)
    {
        var options = new DataplaneOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--rounds" => options with { Rounds = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--duration-s" => options with { DurationS = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--warmup-s" => options with { WarmupS = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--connections" => options with { Connections = Ints(Value()) },
                "--rates" => options with { Rates = Ints(Value()) },
                "--h2-rate" => options with { H2Rate = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--topologies" => options with { Topologies = Value().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--no-pin" => options with { Pin = false },
                "--loadgen-cpus" => options with { LoadGenCpus = Value() },
                "--backend-cpus" => options with { BackendCpus = Value() },
                "--proxy-cpus" => options with { ProxyCpus = Value() },
                "--skip-h2" => options with { SkipH2 = true },
                "--out" => options with { OutputDirectory = Value() },
                "--label" => options with { Label = Value() },
                "--meshnet-env" => options with { MeshNetEnvironment = WithPair(options.MeshNetEnvironment, Value()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (!options.Topologies.Contains("direct"))
        {
            throw new ArgumentException("--topologies must include direct: every ratio is against it or measured beside it");
        }
        return options;
    }

    private static Dictionary<string, string> WithPair(IReadOnlyDictionary<string, string> existing, string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--meshnet-env takes NAME=VALUE, not '{pair}'");
        }
        return new Dictionary<string, string>(existing) { [pair[..equals]] = pair[(equals + 1)..] };
    }

    private static int[] Ints(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
}
