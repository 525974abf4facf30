using System.Globalization;
using System.Text;
using System.Text.Json;
using MeshNet.Bench.ControlPlane;
using MeshNet.Bench.Dataplane;

// The control-plane benchmark: for each mesh size (services x endpoints x sidecars) and debounce setting, a real
// meshnet-control on a generated manifest directory, simulated sidecars on real gRPC streams, and endpoint flips.
var sizes = "100x10x10,1000x10x100,5000x10x100";
var debounces = "100ms,0ms";
var changes = 10;
var output = "bench/results";
string? controlCpus = "1";
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--sizes": sizes = Value(); break;
        case "--debounce": debounces = Value(); break;
        case "--changes": changes = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--out": output = Value(); break;
        case "--control-cpus": controlCpus = Value(); break;
        case "--no-pin": controlCpus = null; break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; options: --sizes NxMxK,... --debounce 100ms,0ms --changes 10 --out DIR --control-cpus 1 --no-pin");
            return 2;
    }
}

var now = DateTimeOffset.UtcNow;
var outputDirectory = Path.GetFullPath(Path.Combine(BinLocator.RepositoryRoot, output));
var work = Path.Combine(outputDirectory, "tmp", "controlplane-" + now.ToString("HHmmss", CultureInfo.InvariantCulture));
Directory.CreateDirectory(work);
Console.WriteLine($"work: {work}");

var runner = new ScenarioRunner(work, controlCpus, changes);
var results = new List<ScenarioResult>();
try
{
    foreach (var size in sizes.Split(',', StringSplitOptions.RemoveEmptyEntries))
    {
        var parts = size.Split('x').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        foreach (var quiet in debounces.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var scenario = new Scenario(parts[0], parts[1], parts[2], quiet);
            Console.WriteLine($"[{DateTimeOffset.UtcNow:HH:mm:ss}] {scenario.Name}");
            ScenarioResult result;
            try
            {
                result = await runner.RunAsync(scenario);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
            {
                result = new ScenarioResult(scenario, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, [],
                    double.NaN, double.NaN, double.NaN, e.Message);
            }
            results.Add(result);
            Console.WriteLine("  " + Report.Row(result));
        }
    }
}
finally
{
    ChildProcess.KillAll();
}

var stem = Path.Combine(outputDirectory, now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "-controlplane");
var facts = new
{
    startedAt = now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
    commandLine = Environment.GetEnvironmentVariable("BENCH_COMMAND") ?? Environment.CommandLine,
    nproc = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal)) : Environment.ProcessorCount,
    kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "?",
    loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?",
    controlCpus,
    changes,
};
File.WriteAllText(stem + ".json", JsonSerializer.Serialize(new { facts, results }, new JsonSerializerOptions
{
    WriteIndented = true,
    PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
}));
File.WriteAllText(stem + ".md", Report.Markdown(facts.startedAt, facts.commandLine, facts.nproc, facts.kernel, facts.loadAverage, controlCpus, changes, results));
Console.WriteLine(File.ReadAllText(stem + ".md"));
return 0;
