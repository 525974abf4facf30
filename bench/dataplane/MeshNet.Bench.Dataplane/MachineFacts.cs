using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MeshNet.Bench.Dataplane;

/// <summary>What the results need to be read against: the machine, its load, the tools and the command run.</summary>
internal sealed record MachineFacts
{
    public string StartedAt { get; init; } = "";

    public string CommandLine { get; init; } = "";

    public int Nproc { get; init; }

    public string Kernel { get; init; } = "";

    public string CpuModel { get; init; } = "";

    public string MemTotal { get; init; } = "";

    public string Runtime { get; init; } = "";

    public string LoadBefore { get; init; } = "";

    public string LoadAfter { get; set; } = "";

    public IReadOnlyList<string> Tools { get; init; } = [];

    public static MachineFacts Collect(TimeProvider time)
    {
        static string Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "?";
        static string Field(string path, string name) => File.Exists(path)
            ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        return new MachineFacts
        {
            StartedAt = time.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            CommandLine = Environment.GetEnvironmentVariable("BENCH_COMMAND") ?? Environment.CommandLine,
            Nproc = Environment.ProcessorCount,
            Kernel = Read("/proc/sys/kernel/osrelease"),
            CpuModel = Field("/proc/cpuinfo", "model name"),
            MemTotal = Field("/proc/meminfo", "MemTotal"),
            Runtime = RuntimeInformation.FrameworkDescription,
            LoadBefore = Read("/proc/loadavg"),
            Tools =
            [
                FirstLine("wrk", "-v"), FirstLine("h2load", "--version"), FirstLine("haproxy", "-v"), FirstLine("nginx", "-v"),
            ],
        };
    }

    public static string CurrentLoad() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";

    private static string FirstLine(string tool, string argument)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, argument)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? tool;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return tool + " (missing)";
        }
    }
}
