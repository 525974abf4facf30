using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MeshNet.Bench.Dataplane;

/// <summary>Result of one load-generator run, reduced to what the report needs.</summary>
internal sealed record LoadResult(
    double Rps,
    long Requests,
    long Errors,
    double P50Us,
    double P90Us,
    double P99Us,
    double P999Us,
    long Unfinished = 0);

/// <summary>Runs wrk, h2load and the open-loop generator (pinned to the load-generator cores) and parses their output.</summary>
internal sealed partial class LoadTools(DataplaneOptions options, string workDirectory)
{
    private readonly string _loadGenDll = BinLocator.Dll("MeshNet.Bench.LoadGen", "meshnet-bench-loadgen");

    public List<string> CommandLines { get; } = [];

    /// <summary>Closed-loop saturation with wrk: HTTP/1.1 keep-alive, one thread, the given connections.</summary>
    public async Task<LoadResult> WrkAsync(Uri url, string host, int connections, double seconds)
    {
        var output = await RunAsync("wrk",
            ["-t1", $"-c{connections}", $"-d{Seconds(seconds)}s", "--latency", "-H", $"Host: {host}", url.ToString()]);
        var requests = long.Parse(Capture(WrkRequests(), output), CultureInfo.InvariantCulture);
        var non2xx = WrkNon2xx().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = WrkSocketErrors().Match(output) is { Success: true } s
            ? s.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
            : 0;
        return new LoadResult(
            double.Parse(Capture(WrkRps(), output), CultureInfo.InvariantCulture),
            requests,
            non2xx + socketErrors,
            WrkPercentile(output, "50%"),
            WrkPercentile(output, "90%"),
            WrkPercentile(output, "99%"),
            double.NaN);
    }

    /// <summary>Open-loop HTTP/1.1 at a fixed rate, latency from the intended send time.</summary>
    public async Task<LoadResult> OpenLoopAsync(Uri url, string host, int rate, double seconds)
    {
        var output = await RunAsync("dotnet",
        [
            _loadGenDll, "--url", url.ToString(), "--host", host, "--rate", rate.ToString(CultureInfo.InvariantCulture),
            "--duration-s", Seconds(seconds), "--warmup-s", Seconds(options.WarmupS), "--connections", "64",
        ]);
        var json = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        double D(string name) => root.GetProperty(name).GetDouble();
        return new LoadResult(D("achievedRps"), (long)D("completed"), (long)(D("errors") + D("non2xx")),
            D("p50Us"), D("p90Us"), D("p99Us"), D("p999Us"), (long)D("unfinished"));
    }

    /// <summary>
    /// h2load over h2c (prior knowledge). rate 0: saturated (16 clients x 10 streams); otherwise --rps spread over
    /// 10 clients with per-request latencies from --log-file.
    /// </summary>
    public async Task<LoadResult> H2LoadAsync(Uri url, string authority, int rate, double seconds, string? grpcBodyFile)
    {
        var clients = rate == 0 ? 16 : 10;
        var log = Path.Combine(workDirectory, "h2load-requests.log");
        File.Delete(log);
        List<string> arguments =
        [
            $"-c{clients}", "-m10", $"-D{Seconds(seconds)}", $"--warm-up-time={Seconds(options.WarmupS)}",
            "-H", $":authority: {authority}",
        ];
        if (rate > 0)
        {
            arguments.Add($"--rps={(rate / (double)clients).ToString("0.###", CultureInfo.InvariantCulture)}");
            arguments.Add($"--log-file={log}");
        }
        if (grpcBodyFile is not null)
        {
            arguments.AddRange(["-d", grpcBodyFile, "-H", "content-type: application/grpc", "-H", "te: trailers"]);
        }
        arguments.Add(url.ToString());
        var output = await RunAsync("h2load", arguments);

        var requests = H2Requests().Match(output);
        if (!requests.Success)
        {
            throw new InvalidOperationException("h2load printed no request summary:\n" + output);
        }
        static long Group(Match match, int i) => long.Parse(match.Groups[i].Value, CultureInfo.InvariantCulture);
        var status = H2Status().Match(output);
        // 4xx and 5xx; h2load counts a gRPC status in trailers as success, so a broken gRPC lane shows as non-2xx only.
        var non2xx = status.Success ? Group(status, 2) + Group(status, 3) : 0;
        var rps = double.Parse(Capture(H2Rps(), output), CultureInfo.InvariantCulture);
        var errors = Group(requests, 2) + non2xx;
        // A failed gRPC call is still HTTP 200 (grpc-status in trailers, no DATA): a lane whose responses carry less
        // than the 1 KiB reply on average is counted as failing throughout.
        var data = H2DataBytes().Match(output);
        if (grpcBodyFile is not null && data.Success && Group(requests, 1) > 0
            && Group(data, 1) / Group(requests, 1) < 1024)
        {
            errors = Group(requests, 1);
        }
        if (rate == 0 || !File.Exists(log))
        {
            return new LoadResult(rps, Group(requests, 1), errors, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var latencies = File.ReadLines(log)
            .Select(l => l.Split('\t'))
            .Where(f => f.Length >= 3)
            .Select(f => double.Parse(f[2], CultureInfo.InvariantCulture))
            .Order()
            .ToArray();
        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        return new LoadResult(rps, Group(requests, 1), errors, P(0.50), P(0.90), P(0.99), P(0.999));
    }

    private async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo
        {
            FileName = options.Pin ? "taskset" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.Pin)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(options.LoadGenCpus);
            start.ArgumentList.Add(fileName);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var commandLine = string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList));
        if (!CommandLines.Contains(commandLine))
        {
            CommandLines.Add(commandLine);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{commandLine} exited {process.ExitCode}:\n{output}");
        }
        return output;
    }

    private static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Capture(Regex regex, string output)
    {
        var match = regex.Match(output);
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException($"no match for {regex} in:\n{output}");
    }

    private static double WrkPercentile(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s+{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            return double.NaN;
        }
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value,
            "ms" => value * 1000,
            _ => value * 1_000_000,
        };
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex WrkRequests();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex WrkRps();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex WrkNon2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex WrkSocketErrors();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout")]
    private static partial Regex H2Requests();

    [GeneratedRegex(@"status codes: \d+ 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")]
    private static partial Regex H2Status();

    [GeneratedRegex(@"traffic: .* \((\d+)\) data")]
    private static partial Regex H2DataBytes();

    [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
    private static partial Regex H2Rps();
}
