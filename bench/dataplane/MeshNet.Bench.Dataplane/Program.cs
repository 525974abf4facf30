using MeshNet.Bench.Dataplane;

// The data-plane benchmark: direct, meshnet (two sidecars), haproxy and stock yarp (two hops each), measured
// interleaved round by round on this machine. bench/run-dataplane.sh installs the tools, builds and runs this.
DataplaneOptions options;
try
{
    options = DataplaneOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var time = TimeProvider.System;
var machine = MachineFacts.Collect(time);
var stamp = time.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
var outputDirectory = Path.GetFullPath(Path.Combine(BinLocator.RepositoryRoot, options.OutputDirectory));
var workDirectory = Path.Combine(outputDirectory, "tmp", "dataplane-" + time.GetUtcNow().ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture));
var logDirectory = Path.Combine(workDirectory, "logs");
Directory.CreateDirectory(logDirectory);
Console.WriteLine($"logs: {logDirectory}");

var results = new List<RoundResult>();
using (var testbed = new Testbed(options, workDirectory, logDirectory))
{
    try
    {
        await testbed.StartAsync();
        var tools = new LoadTools(options, workDirectory);
        var runner = new RoundRunner(options, tools, testbed);
        foreach (var topology in testbed.Topologies)
        {
            await runner.WarmAsync(topology);
        }
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var topology in testbed.Topologies)
            {
                Console.WriteLine($"[{time.GetUtcNow():HH:mm:ss}] round {round}/{options.Rounds}: {topology.Name}");
                try
                {
                    var metrics = await runner.MeasureAsync(topology);
                    results.Add(new RoundResult(round, topology.Name, metrics, null));
                    Console.WriteLine("  " + string.Join(", ", metrics.Where(m => m.Key.EndsWith(".rps", StringComparison.Ordinal) || m.Key.EndsWith("p99Us", StringComparison.Ordinal))
                        .Select(m => $"{m.Key}={m.Value:0}")));
                }
                catch (InvalidOperationException e)
                {
                    Console.Error.WriteLine($"  {topology.Name} failed: {e.Message}");
                    results.Add(new RoundResult(round, topology.Name, [], e.Message));
                }
            }
        }

        machine.LoadAfter = MachineFacts.CurrentLoad();
        var names = testbed.Topologies.Select(t => t.Name).ToArray();
        var (md, json) = new ReportWriter(options, machine, names)
            .Write(outputDirectory, (options.Label is null ? stamp : $"{stamp}-{options.Label}") + "-dataplane",
                results, testbed.Unavailable, testbed.CommandLines, tools.CommandLines);
        Console.WriteLine($"wrote {md}");
        Console.WriteLine($"wrote {json}");
        Console.WriteLine(File.ReadAllText(md));
    }
    finally
    {
        ChildProcess.KillAll();
    }
}
return 0;
